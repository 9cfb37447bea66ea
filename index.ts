// The Pulumi program: one project, two kinds of stack, chosen by config `edge-mtls:role`.
import * as pulumi from "@pulumi/pulumi";
import { parseStackRole } from "./stack-role";

const role = parseStackRole(new pulumi.Config("edge-mtls").get("role"));

// The stack programs land with their issues (the CA stack, then the workload stack); until then a
// stack of that role stops here with a clear message instead of deploying something partial.
throw new Error(`the ${role} stack program is not part of edge-mtls yet; only the PKI core and the certificate CLI are (see README.md, "Status")`);
