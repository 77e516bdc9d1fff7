// ESLint flat config (ESLint 9, the version n8n's community package scanner runs).
//
// 1. The scanner's rule sets, on the scanner's files: what `@n8n/scan-community-package` applies
//    in its buildScanConfig() (scanner/scanner.mjs) to the files of its SOURCE_FILE_PATTERNS
//    (package.json and nodes/credentials), so a finding shows in `npm run lint`, not only in
//    `npm run scan`: @n8n/eslint-plugin-community-nodes recommended, no-console, and the
//    community, credentials and nodes rule sets of eslint-plugin-n8n-nodes-base. The scanner lints
//    with inline config off, so an eslint-disable comment there is reported here, not obeyed.
// 2. This project's own rules (kept from the former .eslintrc.js): the same n8n-nodes-base rule
//    sets with this project's overrides, and the runtime rules the scanner enforces on shipped
//    code (no timers, no process, no console).
// Test, script and bench sources are parsed (a syntax error fails lint) but get no rules.
import { createRequire } from 'node:module';

import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import globals from 'globals';

// The files the scanner lints in a package's source (its SOURCE_FILE_PATTERNS, without .js:
// compiled .js is ignored here, as before).
const scannedFiles = ['package.json', '{nodes,credentials}/**/*.{ts,json}'];
const shippedSources = ['nodes/**/*.ts', 'credentials/**/*.ts'];

// Lint must apply the rules the scanner applies, so the plugin must be the scanner's version.
const require = createRequire(import.meta.url);
const pluginName = '@n8n/eslint-plugin-community-nodes';
const scannerWants = require('@n8n/scan-community-package/package.json').dependencies[pluginName];
const linted = n8nCommunityNodesPlugin.meta.version;
if (scannerWants !== linted) {
	throw new Error(
		`${pluginName} is ${linted} but @n8n/scan-community-package uses ${scannerWants}: pin the devDependency to ${scannerWants}`,
	);
}

export default [
	{
		ignores: ['**/*.js', '**/node_modules/**', '**/dist/**', '.build/**', '.cache/**'],
	},
	{
		files: ['**/*.ts'],
		languageOptions: {
			parser: tsParser,
			ecmaVersion: 'latest',
			sourceType: 'module',
			globals: { ...globals.es2021, ...globals.node },
			parserOptions: {
				project: ['./tsconfig.json'],
				sourceType: 'module',
				extraFileExtensions: ['.json'],
			},
		},
	},
	{
		// JSON (package.json, the node's codex file): the rules read it without type information.
		files: ['package.json', '{nodes,credentials}/**/*.json'],
		languageOptions: { parser: tsParser, parserOptions: { project: null } },
	},

	// 1. n8n's community package scanner
	{ ...n8nCommunityNodesPlugin.configs.recommended, files: scannedFiles },
	{
		files: scannedFiles,
		rules: { 'no-console': 'error' },
		linterOptions: { noInlineConfig: true },
	},

	// 2. n8n's community node rules (eslint-plugin-n8n-nodes-base) and this project's overrides
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// The rule itself says it applies only to nodes in n8n's main repository, whose docs
			// live under one slug; a community package links to its own README (as n8n-nodes-starter).
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// These older rules want the literal 'main'; n8n's community package scanner (the
			// newer authority) requires NodeConnectionTypes.Main, and turns them off too.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: shippedSources,
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
];
