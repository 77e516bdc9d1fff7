const path = require('path');
const { task, src, dest } = require('gulp');

// tsc compiles the TypeScript; the icons and the codex files (*.node.json) n8n shows next to the node and the credential are
// plain files that must sit beside the compiled .js files in dist/.
task('build:icons', copyIcons);

function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg,json}');
	const nodeDestination = path.resolve('dist', 'nodes');
	src(nodeSource, { encoding: false }).pipe(dest(nodeDestination));

	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	const credDestination = path.resolve('dist', 'credentials');
	return src(credSource, { encoding: false }).pipe(dest(credDestination));
}
