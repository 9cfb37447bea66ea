/**
 * The one place that loads @peculiar/x509: it needs the Reflect metadata polyfill before it is
 * imported, and a WebCrypto provider for the few helpers that use it.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
