const path = require('path');
const { task, src, dest, parallel } = require('gulp');

// tsc compiles the TypeScript. The icons and the codex file (*.node.json) are plain files that
// n8n reads from beside the compiled .js files, so they are copied into dist/ as they are.
function copyNodeAssets() {
	return src(path.resolve('nodes', '**', '*.{png,svg,json}'), { encoding: false }).pipe(
		dest(path.resolve('dist', 'nodes')),
	);
}

function copyCredentialAssets() {
	return src(path.resolve('credentials', '**', '*.{png,svg}'), { encoding: false }).pipe(
		dest(path.resolve('dist', 'credentials')),
	);
}

task('build:icons', parallel(copyNodeAssets, copyCredentialAssets));
