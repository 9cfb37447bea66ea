/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles (esbuild alias). Lambda
 * always hands a function its role's credentials in environment variables, so the SSO, profile,
 * process and web-identity providers of the default chain (a fifth of a bundle) are never used.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (_init?: unknown) => fromEnv();
export const credentialsTreatedAsExpired = () => false;
export const credentialsWillNeedRefresh = () => false;
