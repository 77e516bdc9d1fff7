import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot } from '../paths';

/**
 * The package as users get it: built, then packed with `npm pack` into a fresh folder; returns
 * the tarball's path, for installCommunityPackage.
 */
export function packPackage(): string {
	const repo = repoRoot();
	const packDir = mkdtempSync(join(tmpdir(), 'happyhorse-pack-'));
	execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
	execFileSync('npm', ['pack', '--pack-destination', packDir], { cwd: repo, stdio: 'ignore' });
	const [file] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'));
	return join(packDir, file);
}
