/**
 * The vendor-host suite (test/vendor/): the node's real URLs at the API's own host names, served
 * on loopback over TLS. Started only by test/vendorHosts.test.ts (so by `npm test`), which makes
 * the throwaway CA and the hosts block first and starts this jest with NODE_EXTRA_CA_CERTS: Node
 * reads that variable at start only, so it cannot be set for the workers of the main run.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/vendor'],
	testMatch: ['**/*.vendor.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	setupFiles: ['<rootDir>/dev/setup/env.ts'],
	testTimeout: 30000,
	maxWorkers: 1,
};
