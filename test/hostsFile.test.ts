import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { addHostsBlock } from '../dev/vendorHosts';

function hostsFileWith(text: string): string {
	const file = join(mkdtempSync(join(tmpdir(), 'happyhorse-hosts-')), 'hosts');
	writeFileSync(file, text);
	return file;
}

/** A pid no process has: the one of a child that has exited. */
const deadPid = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'])
	.stdout.toString()
	.trim();

test("adds a marked block and takes only it out again: other lines and others' blocks stay", () => {
	const others = [
		'127.0.0.1 localhost',
		'# >>> happyhorse-trigger-hosts 1: the trigger helper',
		'127.0.0.1 cn-hangzhou-eventbridge.oss-accelerate.aliyuncs.com',
		'# <<< happyhorse-trigger-hosts 1',
		'',
	].join('\n');
	const file = hostsFileWith(others);
	const block = addHostsBlock(['dashscope-us.aliyuncs.com', 'llm.infiflow.cn'], {
		hostsFile: file,
	});
	expect(readFileSync(file, 'utf8')).toBe(
		`${others}# >>> happyhorse-vendor-hosts ${process.pid}: loopback stand-ins for tests, removed when they end\n` +
			'127.0.0.1 dashscope-us.aliyuncs.com\n127.0.0.1 llm.infiflow.cn\n' +
			`# <<< happyhorse-vendor-hosts ${process.pid}\n`,
	);
	block.remove();
	block.remove();
	expect(readFileSync(file, 'utf8')).toBe(others);
});

test('a block left by a process that is gone is removed with the next one; a live one stays', () => {
	const stale = `# >>> happyhorse-vendor-hosts ${deadPid}: x\n127.0.0.1 dashscope.aliyuncs.com\n# <<< happyhorse-vendor-hosts ${deadPid}\n`;
	const live = `# >>> happyhorse-vendor-hosts 1: x\n127.0.0.1 dashscope.aliyuncs.com\n# <<< happyhorse-vendor-hosts 1\n`;
	const file = hostsFileWith(`127.0.0.1 localhost\n${stale}${live}`);
	addHostsBlock(['dashscope.aliyuncs.com'], { hostsFile: file }).remove();
	expect(readFileSync(file, 'utf8')).toBe(`127.0.0.1 localhost\n${live}`);
});

test('a hosts file that cannot be written is a clear error, not a skip', () => {
	expect(() =>
		addHostsBlock(['dashscope.aliyuncs.com'], { hostsFile: '/nonexistent-dir/hosts' }),
	).toThrow(
		/^Cannot write \/nonexistent-dir\/hosts \(ENOENT\): .* must run as root \(the CI machine does\)/,
	);
});
