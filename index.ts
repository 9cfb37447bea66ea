// The Pulumi program: one project, two kinds of stack, chosen by config `edge-mtls:role`.
import * as pulumi from "@pulumi/pulumi";
import { caStack } from "./ca-stack";
import { parseStackRole } from "./stack-role";
import { workloadStack } from "./workload-stack";

const role = parseStackRole(new pulumi.Config("edge-mtls").get("role"));

function program(): object {
  return role === "ca" ? caStack() : workloadStack();
}

export = program();
