import { ftypBox } from '../../dev/emulator';
import { createParameters, credentialsFor, useEmulator } from '../fixtures';
import { runNode } from '../../dev/harness/runNode';
import { describeDownloadLimits, downloadFrom } from './downloadLimits';
import { useHostileVideoHost } from './videoHost';

const emulator = useEmulator();
const host = useHostileVideoHost();

describeDownloadLimits('default', emulator, host);

/** Everything after a task succeeded: its advice is never "may still be running". */
function expectSucceededTaskAdvice(description: string | undefined, taskId: string): void {
	expect(description).not.toContain('may still be running');
	expect(description).toContain(taskId);
}

test('an HTML page answered with 200 is not stored as the video', async () => {
	const { items, error, taskId } = await downloadFrom(emulator, host.url('/html'));
	expect(items).toEqual([]);
	expect(error?.message).toBe(
		`The video host's answer for task ${taskId} is not an MP4 or MOV video (content type "text/html; charset=utf-8"; it starts "<!DOCTYPE html>.<html><head><title>Sign in</titl")`,
	);
	expectSucceededTaskAdvice(error?.description, taskId);
	expect(host.hitsOf('/html')).toBe(1);
});

test.each([
	['data:text/html,<h1>hello</h1>', 'data:'],
	['file:///etc/hostname', 'file:'],
	['ftp://127.0.0.1/video.mp4', 'ftp:'],
])('a video URL %s is refused without a request', async (videoUrl, scheme) => {
	const { error, taskId } = await downloadFrom(emulator, videoUrl);
	expect(error?.message).toBe(
		`The video URL of task ${taskId} is a ${scheme} URL, not http(s): it was not downloaded`,
	);
	expectSucceededTaskAdvice(error?.description, taskId);
	expect(emulator.requestsOf('download')).toHaveLength(0);
});

test('a redirect to a file: URL is not followed and not retried', async () => {
	const path = `/redirect/${encodeURIComponent('file:///etc/hostname')}`;
	const { error, taskId } = await downloadFrom(emulator, host.url(path));
	expect(error?.message).toBe(
		`The video host redirected the download of task ${taskId} to a file: URL, which is not followed`,
	);
	expectSucceededTaskAdvice(error?.description, taskId);
	expect(host.hitsOf(path)).toBe(1);
});

test('a redirect loop is an error after one round, not retried', async () => {
	const { error, taskId } = await downloadFrom(emulator, host.url('/loop/a'));
	expect(error?.message).toBe(
		`The video host redirected the download of task ${taskId} in a loop (back to ${host.url('/loop/a')})`,
	);
	expect(host.hitsOf('/loop/a')).toBe(1);
	expect(host.hitsOf('/loop/b')).toBe(1);
});

test('a relative redirect to a good video is followed', async () => {
	const path = `/redirect/${encodeURIComponent('/bytes/70000')}`;
	const { items, error } = await downloadFrom(emulator, host.url(path));
	expect(error).toBeUndefined();
	expect(items[0].binary?.data.mimeType).toBe('video/mp4');
	expect(host.hitsOf(path)).toBe(1);
	expect(host.hitsOf('/bytes/70000')).toBe(1);
});

test.each([404, 403, 410])('HTTP %i from the video host is not retried', async (status) => {
	const path = `/status/${status}`;
	const { error, taskId } = await downloadFrom(emulator, host.url(path));
	expect(error?.message).toBe(`Downloading the video of task ${taskId} failed (HTTP ${status})`);
	expectSucceededTaskAdvice(error?.description, taskId);
	expect(host.hitsOf(path)).toBe(1);
});

test('HTTP 408 from the video host is retried', async () => {
	emulator.failNextWith('download', { type: 'status', status: 408, body: 'timeout' });
	const { items, error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		parameters: createParameters(),
	});
	expect(error).toBeUndefined();
	expect(items[0].binary?.data).toBeDefined();
	expect(emulator.requestsOf('download')).toHaveLength(2);
});

test('Max Video Size must be a positive number: refused before any request', async () => {
	const { error } = await runNode({
		credentials: credentialsFor(emulator, 'native'),
		items: [{ json: {} }, { json: {} }],
		parameters: createParameters({
			options: { maxVideoSizeMb: '={{ $itemIndex === 1 ? -5 : 10 }}' },
		}),
	});
	expect(error?.message).toBe('Item 1: Options → Max Video Size (MB) must be more than 0 MB');
	expect(emulator.requests).toHaveLength(0);
});

test('a result shorter than the bytes looked at is still checked, and taken when it is an MP4', async () => {
	const { items, error } = await downloadFrom(emulator, host.url('/bytes/40'));
	expect(error).toBeUndefined();
	expect(items[0].binary?.data.data).toBe(
		Buffer.concat([ftypBox(), Buffer.alloc(40 - ftypBox().length, 0x5a)]).toString('base64'),
	);
});
