/**
 * Vendor host names (dashscope-us.aliyuncs.com, a workspace's domain, …) answered on loopback,
 * so the node's real URLs can be tested without changing its code and without the network:
 * a throwaway CA (`ca.ts`), a marked block in /etc/hosts (`hostsFile.ts`) and a TLS server on
 * 127.0.0.1:443 that records and hands on (`front.ts`). The process under test must be started
 * with NODE_EXTRA_CA_CERTS set to the CA's file (and without HTTPS_PROXY); never set it globally
 * (npm slows to a crawl with it). Needs root and `openssl`. test/vendorHosts.test.ts and
 * test/e2e/credential.e2e.ts use it.
 */
export { makeThrowawayCa, serverCredentials } from './ca';
export { addHostsBlock } from './hostsFile';
export { startVendorFront, type VendorFront } from './front';
