/**
 * End-to-end: the packed package inside real n8n (2.x on Node 24, 1.x on Node 22), driven over
 * n8n's REST API. Slow (installs n8n once into .cache/), so apart from `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
	setupFiles: ['<rootDir>/dev/setup/env.ts'],
	testTimeout: 180_000,
	maxWorkers: 1,
};
