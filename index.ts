// The Pulumi program: one project, two kinds of stack, chosen by config `edge-mtls:role`.
import * as pulumi from "@pulumi/pulumi";
import { caStack } from "./ca-stack";
import { parseStackRole } from "./stack-role";

const role = parseStackRole(new pulumi.Config("edge-mtls").get("role"));

function program(): object {
  if (role === "ca") return caStack();
  // The workload stack program lands with its issue; until then such a stack stops here with a
  // clear message instead of deploying something partial.
  throw new Error("the workload stack program is not part of edge-mtls yet (see README.md, \"Status\")");
}

export = program();
