/**
 * n8n community-node rules (eslint-plugin-n8n-nodes-base), plus the runtime rules n8n's
 * community package scanner enforces: no timers, no process, no console in shipped code.
 * @type {import('@types/eslint').ESLint.ConfigData}
 */
module.exports = {
	root: true,
	env: { es2022: true, node: true },
	parser: '@typescript-eslint/parser',
	parserOptions: {
		project: ['./tsconfig.json'],
		sourceType: 'module',
		extraFileExtensions: ['.json'],
	},
	ignorePatterns: ['.eslintrc.js', '**/*.js', '**/node_modules/**', '**/dist/**'],
	overrides: [
		{
			files: ['package.json'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/community'],
			// package.json is JSON: the rules read it without type information.
			parserOptions: { project: null },
		},
		{
			files: ['./credentials/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/credentials'],
			rules: {
				// The rule itself says it applies only to nodes in n8n's main repository, whose docs
				// live under one slug; a community package links to its own README (as n8n-nodes-starter).
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			},
		},
		{
			files: ['./nodes/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/nodes'],
			rules: {
				// These older rules want the literal 'main'; n8n's community package scanner (the
				// newer authority) requires NodeConnectionTypes.Main. The scanner runs in `npm run scan`.
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			},
		},
		{
			files: ['./nodes/**/*.ts', './credentials/**/*.ts'],
			rules: {
				'no-console': 'error',
				'no-restricted-globals': [
					'error',
					{ name: 'setTimeout', message: 'Use sleep from n8n-workflow with the cancel signal.' },
					{ name: 'setInterval', message: 'Use sleep from n8n-workflow with the cancel signal.' },
					{ name: 'process', message: 'Community nodes must not read the process.' },
				],
			},
		},
	],
};
