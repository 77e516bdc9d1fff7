/**
 * The floors of the house (docs/ARCHITECTURE.md), kept by a tool: every import goes down.
 *
 *   nodes/HappyHorse/HappyHorse.node.ts   description + router
 *   nodes/HappyHorse/HappyHorseTrigger.node.ts   the trigger's description + webhook
 *   actions/      one file per operation
 *   pipeline/     the batch stages
 *   media/        files from earlier nodes: reading, sniffing, probing, checking
 *   transport/    HTTP to the API, the upload host and the video host
 *   schemas/      request and response shapes, the API's limits; imports nothing of the node
 *
 * Outside the node: test/, scripts/ and bench/ share dev/ and never import each other.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const node = '^nodes/HappyHorse/';

/** Each floor and the floors it may not import: everything above it. */
const floors = [
	{ name: 'schemas', above: ['transport', 'media', 'pipeline', 'actions', 'HappyHorse(Trigger)?[.]node'] },
	{ name: 'transport', above: ['media', 'pipeline', 'actions', 'HappyHorse(Trigger)?[.]node'] },
	{ name: 'media', above: ['pipeline', 'actions', 'HappyHorse(Trigger)?[.]node'] },
	{ name: 'pipeline', above: ['actions', 'HappyHorse(Trigger)?[.]node'] },
	{ name: 'actions', above: ['HappyHorse(Trigger)?[.]node'] },
];

module.exports = {
	forbidden: [
		...floors.map(({ name, above }) => ({
			name: `${name}-imports-only-down`,
			comment: `${name}/ may import only the floors below it`,
			severity: 'error',
			from: { path: `${node}${name}/` },
			to: { path: `${node}(${above.join('|')})` },
		})),
		{
			name: 'no-circular',
			comment:
				'No files that import each other in a circle, not even through type-only imports: such a circle is no cycle at run time, but it still ties the files into one knot',
			severity: 'error',
			from: {},
			to: { circular: true },
		},
		{
			name: 'shipped-code-stays-shipped',
			comment: 'The node and the credential never import tests, scripts, benchmarks or dev tools',
			severity: 'error',
			from: { path: '^(nodes|credentials)/' },
			to: { path: '^(test|scripts|bench|dev)/' },
		},
		{
			name: 'credential-reads-only-the-endpoint-table',
			comment: 'The credential shares the endpoint table with the transport, nothing else',
			severity: 'error',
			from: { path: '^credentials/' },
			to: { path: `${node}`, pathNot: `${node}transport/endpoints[.]ts$` },
		},
		{
			name: 'dev-is-the-bottom-of-the-tooling',
			comment: 'dev/ serves test/, scripts/ and bench/, and imports none of them',
			severity: 'error',
			from: { path: '^dev/' },
			to: { path: '^(test|scripts|bench)/' },
		},
		{
			name: 'tooling-folders-share-only-dev',
			comment: 'test/, scripts/ and bench/ import dev/, never each other',
			severity: 'error',
			from: { path: '^(test|scripts|bench)/' },
			to: { path: '^(test|scripts|bench)/', pathNot: '^$1/' },
		},
	],
	options: {
		doNotFollow: { path: 'node_modules' },
		exclude: { path: '(^|/)(node_modules|dist|[.]build|[.]cache)/' },
		tsPreCompilationDeps: true,
		tsConfig: { fileName: 'tsconfig.json' },
		enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
	},
};
