// The edge-mtls-guard CrossGuard pack: `pulumi preview --policy-pack policies`.
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("edge-mtls-guard", { policies: [...POLICIES] });
