/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	// n8n-core writes <N8N_USER_FOLDER>/.n8n/config when it loads: point it at a temp folder first.
	setupFiles: ['<rootDir>/dev/setup/env.ts'],
	testTimeout: 30000,
};
