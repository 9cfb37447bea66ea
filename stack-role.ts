/** Which program a stack runs: the CA account's or a workload account's (config `edge-mtls:role`). */
export type StackRole = "ca" | "workload";

/** The roles, for messages. */
export const STACK_ROLES: readonly StackRole[] = ["ca", "workload"];

/** Reads `edge-mtls:role`, or explains what to set. */
export function parseStackRole(value: string | undefined): StackRole {
  if (value === "ca" || value === "workload") return value;
  throw new Error(
    value === undefined
      ? `config edge-mtls:role is not set; run 'pulumi config set edge-mtls:role ca' (the CA account) or 'workload'`
      : `config edge-mtls:role is ${JSON.stringify(value)}; it must be one of ${STACK_ROLES.join(", ")}`,
  );
}
