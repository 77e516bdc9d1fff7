import type { HappyHorseEmulator } from '../../dev/emulator';
import { ftypBox } from '../../dev/emulator';
import type { BinaryMode } from '../../dev/harness/binaryData';
import { bytesOf } from '../../dev/harness/binaryData';
import { runNode } from '../../dev/harness/runNode';
import { createParameters, credentialsFor } from '../fixtures';
import type { HostileVideoHost } from './videoHost';

/**
 * The result download against a video host that misbehaves on purpose, in each of n8n's binary
 * modes: downloadLimitsDefault.test.ts and downloadLimitsFilesystem.test.ts call this.
 */

const MIB = 1024 * 1024;

export async function downloadFrom(
	emulator: HappyHorseEmulator,
	videoUrl: string,
	options: Record<string, unknown> = {},
) {
	emulator.taskScript = () => ({ videoUrl });
	const result = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters({ options: { timeout: 30, ...options } }),
	});
	return { ...result, taskId: emulator.createdTaskIds[0] };
}

export function describeDownloadLimits(
	mode: BinaryMode,
	emulator: HappyHorseEmulator,
	host: HostileVideoHost,
): void {
	test(`an endless chunked body is cut at Max Video Size (${mode} mode)`, async () => {
		const { error, taskId } = await downloadFrom(emulator, host.url('/endless'), {
			maxVideoSizeMb: 1,
		});
		expect(error?.message).toMatch(
			new RegExp(
				`^The video of task ${taskId} passed the limit of 1 MB while downloading \\(1\\.\\d MB read; Options → Max Video Size \\(MB\\), maxVideoSizeMb\\)$`,
			),
		);
		expect(error?.description).not.toContain('may still be running');
		expect(host.hitsOf('/endless')).toBe(1);
		// The stream was destroyed at the cap: far less than the host would go on sending.
		expect(host.bytesSent.get('/endless')).toBeLessThan(32 * MIB);
	});

	test(`Content-Length: 2147483648 is refused before the body is read (${mode} mode)`, async () => {
		const { error, taskId } = await downloadFrom(emulator, host.url('/huge'));
		expect(error?.message).toBe(
			`The video of task ${taskId} is 2048.0 MB, over the limit of 256 MB (Options → Max Video Size (MB), maxVideoSizeMb)`,
		);
		expect(host.hitsOf('/huge')).toBe(1);
	});

	test(`a body over the cap fails once, without retries (${mode} mode)`, async () => {
		const { error, taskId } = await downloadFrom(emulator, host.url(`/bytes/${1.5 * MIB}`), {
			maxVideoSizeMb: 1,
		});
		expect(error?.message).toContain(`The video of task ${taskId} passed the limit of 1 MB`);
		expect(host.hitsOf(`/bytes/${1.5 * MIB}`)).toBe(1);
	});

	test(`a body just under the cap is stored whole (${mode} mode)`, async () => {
		const size = Math.round(0.9 * MIB);
		const { items, error } = await downloadFrom(emulator, host.url(`/bytes/${size}`), {
			maxVideoSizeMb: 1,
		});
		expect(error).toBeUndefined();
		const bytes = await bytesOf(items[0].binary!.data);
		expect(bytes.length).toBe(size);
		expect(bytes.subarray(0, ftypBox().length).equals(ftypBox())).toBe(true);
	});

	test(`a trickling body is given up at the item's Timeout (${mode} mode)`, async () => {
		const { error, taskId } = await downloadFrom(emulator, host.url('/trickle'), { timeout: 2 });
		expect(error?.message).toMatch(
			new RegExp(
				`^Downloading the video of task ${taskId} took longer than 2 s \\(Options → Timeout\\): given up after 0\\.0 MB$`,
			),
		);
		expect(host.hitsOf('/trickle')).toBe(1);
	});
}
