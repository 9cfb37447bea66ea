// The tests use the same offline Pulumi mocks as the policy checker.
export * from "../../offline/pulumi-mocks";
