import { mkdirSync, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { chromium, selectors, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { startDevEnvironment, type DevEnvironment } from '../dev/devEnvironment';
import { loadExamples, pointAtEmulator, type WorkflowJson } from '../dev/examples';
import { OWNER } from '../dev/n8n';
import { repoRoot } from '../dev/paths';
import {
	AGENT_EXAMPLE,
	AGENT_RUN,
	EDIT_PANEL,
	EDIT_RUN,
	OPERATION_PANELS,
	RUN_EXAMPLE,
	recastNode,
	type NodePanel,
	type RunPicture,
} from './screenshotPictures';
import {
	WORKSPACE_CREDENTIAL_NAME,
	startWorkspaceStandIn,
	workspaceStandInCa,
} from './screenshotCredential';

/**
 * `npm run screenshots`: the README's pictures, taken from the real n8n editor. Starts what
 * `npm run dev` starts (on other ports), drives Debian's Chromium headless through the editor with
 * playwright-core (no browser download) and writes docs/screenshots/*.png:
 *
 * - credential.png: the HappyHorse API credential form (a Model Studio workspace in Frankfurt,
 *   tested at its own domain on loopback, see screenshotCredential.ts; API key masked),
 * - workflow-run.png: the "edit videos listed by an HTTP API" example after a successful run,
 *   with the run's log open on the HappyHorse node's binary output,
 * - node-parameters.png: that workflow's "Edit video" node: its parameters and options between
 *   the run's input and the edited videos it output,
 * - node-text-to-video.png, node-image-to-video.png, node-reference-to-video.png,
 *   node-get-task.png, node-cancel-task.png, node-list-tasks.png: the panel of every other
 *   operation, on the example that uses it, as it opens (not run); the two operations no example
 *   uses (references to video, cancel) on a copy of an example whose node is set to them,
 * - agent-workflow.png: the AI Agent example after a run against the scripted local model, its
 *   log open on the agent's answer.
 *
 * Every picture uses a temporary copy of its example, pointed at this run's emulator and deleted at
 * the end, so the workflows kept in .cache/dev stay as they were. Do not run it while
 * `npm run dev` is running: both use the n8n user folder in .cache/dev.
 */

const REPO = repoRoot();
const OUT_DIR = join(REPO, 'docs', 'screenshots');
const CHROMIUM = process.env.HAPPYHORSE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const VIEWPORT = { width: 1440, height: 900 };
/** The parameter panel holds everything down to the Options only on a taller window. */
const TALL_VIEWPORT = { width: 1440, height: 1200 };
/** Marks the temporary workflow copies, so one left by an interrupted run is removed next time. */
const COPY_MARKER = 'Temporary copy made by npm run screenshots; safe to delete.';

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The preferred port if it is free on 127.0.0.1, else one the OS picks. */
async function pickPort(preferred: number): Promise<number> {
	const listen = (port: number) =>
		new Promise<number>((resolve, reject) => {
			const server = net.createServer();
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				const { port: bound } = server.address() as net.AddressInfo;
				server.close(() => resolve(bound));
			});
		});
	try {
		return await listen(preferred);
	} catch {
		return listen(0);
	}
}

// ---------------------------------------------------------------------------------------------
// The workflow copy

async function deleteWorkflow(dev: DevEnvironment, id: string): Promise<void> {
	// 2.x deletes archived workflows only; 1.x has no archive and deletes straight away.
	await dev.client.request('POST', `/rest/workflows/${id}/archive`).catch(() => undefined);
	await dev.client.request('DELETE', `/rest/workflows/${id}`);
}

async function deleteLeftoverCopies(dev: DevEnvironment): Promise<void> {
	const existing = (await dev.client.request('GET', '/rest/workflows')).data as Array<{
		id: string;
		description?: string | null;
	}>;
	for (const leftover of existing.filter((workflow) => workflow.description === COPY_MARKER)) {
		await deleteWorkflow(dev, leftover.id);
	}
}

/** The credential `npm run dev` made for the agent example's scripted model. */
async function chatModelCredential(dev: DevEnvironment): Promise<{ id: string; name: string }> {
	const credentials = (await dev.client.request('GET', '/rest/credentials')).data as Array<{
		id: string;
		name: string;
		type: string;
	}>;
	const found = credentials.find((credential) => credential.type === 'openAiApi');
	if (!found) throw new Error('No OpenAI credential for the scripted chat model');
	return { id: found.id, name: found.name };
}

/** A temporary copy of examples/`file`, pointed at this run's emulator (and `panel` recast). */
async function createExampleCopy(
	dev: DevEnvironment,
	file: string,
	panel?: NodePanel,
): Promise<{ id: string; nodes: number }> {
	const example = loadExamples().find((candidate) => candidate.file === file);
	if (!example) throw new Error(`No example workflow examples/${file}`);
	const workflow: WorkflowJson = pointAtEmulator(example.workflow, {
		emulatorOrigin: dev.emulator.origin,
		credential: dev.credential,
		chatModelCredential: file === AGENT_EXAMPLE ? await chatModelCredential(dev) : undefined,
		outputDir: dev.outputDir,
		pollInterval: 2,
	});
	if (panel?.as) recastNode(workflow, panel.node, panel.as);
	const { id } = await dev.client.createWorkflow({ ...workflow, description: COPY_MARKER });
	return { id, nodes: workflow.nodes.length };
}

// ---------------------------------------------------------------------------------------------
// Browser helpers

/** Closes whatever n8n may pop up over a page (what's new, surveys, banners, toasts). */
async function dismissPopups(page: Page): Promise<void> {
	for (let attempt = 0; attempt < 3; attempt++) {
		const dialogs = page.locator(
			'[role="dialog"]:visible, .el-dialog:visible, .el-overlay:visible',
		);
		if ((await dialogs.count()) === 0) break;
		await page.keyboard.press('Escape');
		await page.waitForTimeout(400);
	}
	await closeToasts(page);
}

async function closeToasts(page: Page): Promise<void> {
	const closeButtons = page.locator('.el-notification:visible .el-notification__closeBtn');
	for (let i = await closeButtons.count(); i > 0; i--) {
		await closeButtons
			.first()
			.click({ timeout: 2000 })
			.catch(() => undefined);
	}
	await page
		.locator('.el-notification:visible')
		.first()
		.waitFor({ state: 'hidden', timeout: 5000 })
		.catch(() => undefined);
}

async function settle(page: Page): Promise<void> {
	await page.waitForLoadState('networkidle').catch(() => undefined);
	// Transitions (dialogs sliding in, the canvas fitting its view) run after the data is in.
	await page.waitForTimeout(800);
}

/**
 * Parks the mouse where it hovers nothing (an empty spot `dx`, `dy` from the element's top left,
 * negative from its right or bottom), so no tooltip or hover outline shows.
 */
async function parkMouse(page: Page, inside: Locator, dx: number, dy: number): Promise<void> {
	const box = await inside.boundingBox();
	if (!box) throw new Error('Nowhere to park the mouse');
	await page.mouse.move(
		dx >= 0 ? box.x + dx : box.x + box.width + dx,
		dy >= 0 ? box.y + dy : box.y + box.height + dy,
	);
	await page.waitForTimeout(300);
}

async function save(page: Page, name: string, target?: Locator): Promise<void> {
	const file = join(OUT_DIR, name);
	const options = { path: file, type: 'png' as const, animations: 'disabled' as const };
	if (target) {
		// The element with a small margin of what is around it.
		const box = await target.boundingBox();
		if (!box) throw new Error(`${name}: the element to capture is not visible`);
		const viewport = page.viewportSize() ?? VIEWPORT;
		const margin = 4;
		const x = Math.max(0, Math.floor(box.x - margin));
		const y = Math.max(0, Math.floor(box.y - margin));
		await page.screenshot({
			...options,
			clip: {
				x,
				y,
				width: Math.min(viewport.width - x, Math.ceil(box.width + 2 * margin)),
				height: Math.min(viewport.height - y, Math.ceil(box.height + 2 * margin)),
			},
		});
	} else {
		await page.screenshot(options);
	}
	log(`  ${relative(REPO, file)} (${Math.round(statSync(file).size / 1024)} KB)`);
}

/** Drags the logs panel's top edge (its one wide resize handle) to `y`. */
async function dragLogsPanelTop(page: Page, y: number): Promise<void> {
	const handles = page.getByTestId('logs-panel').getByTestId('resize-handle');
	for (let i = 0; i < (await handles.count()); i++) {
		const box = await handles.nth(i).boundingBox();
		if (!box || box.width < box.height) continue;
		const x = box.x + box.width / 2;
		await page.mouse.move(x, box.y + box.height / 2);
		await page.mouse.down();
		await page.mouse.move(x, y, { steps: 10 });
		await page.mouse.up();
		return;
	}
	log('  (found no handle to make the logs panel taller)');
}

async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
	await page.locator('input[name="password"]').fill(OWNER.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	await settle(page);
	await dismissPopups(page);
}

// ---------------------------------------------------------------------------------------------
// The pictures

async function credentialScreenshot(page: Page, baseUrl: string): Promise<void> {
	await page.setViewportSize({ width: VIEWPORT.width, height: 1000 });
	await page.goto(`${baseUrl}/home/credentials`);
	await settle(page);
	await dismissPopups(page);
	await page
		.getByTestId('resources-list-item')
		.filter({ hasText: WORKSPACE_CREDENTIAL_NAME })
		.click();
	const modal = page.getByTestId('editCredential-modal');
	await modal.waitFor();
	await page.getByTestId('parameter-input-workspaceId').waitFor();
	await page.getByTestId('parameter-input-workspaceRegion').waitFor();
	// Opening a saved credential tests it; its green banner is part of the picture.
	await page
		.getByTestId('credentials-config-container-test-success')
		.waitFor({ timeout: 20_000 })
		.catch(() => log('  (the credential test banner did not turn green)'));
	const apiKeyType = await page
		.getByTestId('parameter-input-apiKey')
		.locator('input')
		.first()
		.getAttribute('type');
	if (apiKeyType !== 'password') throw new Error(`The API key field shows as "${apiKeyType}"`);
	await settle(page);
	// On the dimmed page beside the dialog.
	await parkMouse(page, page.locator('body'), -8, -8);
	await save(page, 'credential.png', modal);
	await page.keyboard.press('Escape');
}

/**
 * Waits until the manual run is over: no stop button any more and a green check on every node;
 * throws if a node turned red or it takes too long. A node that failed shows n8n 1.x's
 * `canvas-node-status-error`, or in n8n 2.x its issues icon (`node-issues`, the run's error).
 */
async function waitForRun(page: Page, nodes: number): Promise<void> {
	const deadline = Date.now() + 180_000;
	for (;;) {
		await page.waitForTimeout(500);
		const failed = await page
			.getByTestId('canvas-node')
			.filter({
				has: page.getByTestId('canvas-node-status-error').or(page.getByTestId('node-issues')),
			})
			.count();
		if (failed > 0) throw new Error(`The example's run failed on ${failed} node(s)`);
		const running = await page.getByTestId('stop-execution-button').count();
		const succeeded = await page
			.getByTestId('canvas-node')
			.getByTestId('canvas-node-status-success')
			.count();
		if (running === 0 && succeeded >= nodes) return;
		if (Date.now() > deadline) {
			throw new Error(
				`The example's run did not finish in time (${succeeded}/${nodes} nodes done)`,
			);
		}
	}
}

async function runScreenshot(
	page: Page,
	baseUrl: string,
	workflow: { id: string; nodes: number },
	picture: RunPicture,
): Promise<void> {
	await page.setViewportSize(VIEWPORT);
	await page.goto(`${baseUrl}/workflow/${workflow.id}`);
	const canvasNodes = page.getByTestId('canvas-node');
	// This workflow's canvas, not the one the editor showed before.
	await canvasNodes.filter({ hasText: picture.logNode }).first().waitFor();
	await canvasNodes.nth(workflow.nodes - 1).waitFor();
	await settle(page);
	await dismissPopups(page);

	const started = Date.now();
	await page.getByTestId('execute-workflow-button').click();
	await page
		.getByTestId('stop-execution-button')
		.waitFor({ timeout: 10_000 })
		.catch(() => log('  (saw no stop button: the run may have been quick)'));
	await waitForRun(page, workflow.nodes);
	log(`  the example ran in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	await closeToasts(page);

	// The run's log, on the picture's node (the HappyHorse node: the edited videos it output).
	const logsBody = page.getByTestId('logs-overview-body');
	// Open the log only if it is closed: on an open one the header's middle is "Clear execution".
	if (!(await logsBody.isVisible())) await page.getByTestId('logs-overview-header').click();
	await logsBody.waitFor();
	const logNode = logsBody.getByText(picture.logNode, { exact: true }).first();
	await logNode.click();
	await page.waitForTimeout(500);
	// A log shown as its overview only (as the agent's opens) shows a node's output on Details,
	// which starts on the first node.
	if (!(await page.getByTestId('log-details').isVisible())) {
		await page.getByTestId('logs-panel').getByText('Details', { exact: true }).click();
		await logNode.click();
	}
	await page.getByTestId('log-details-output').getByText(picture.logText).first().waitFor();
	// A taller log, so the first output item shows whole.
	await dragLogsPanelTop(page, Math.round(VIEWPORT.height * picture.logTop));
	await page.getByTestId('zoom-to-fit').click();
	await settle(page);
	await parkMouse(page, page.getByTestId('canvas'), -300, 40);
	await save(page, picture.file);
}

/**
 * Opens the panel's node on the workflow shown (or first opens `workflowUrl`) and captures its
 * parameter panel, whose Resource and Operation fields show it drawn.
 */
async function nodeScreenshot(page: Page, panel: NodePanel, workflowUrl?: string): Promise<void> {
	// A taller window, so the parameter panel shows everything down to its Options.
	await page.setViewportSize(TALL_VIEWPORT);
	if (workflowUrl) {
		await page.goto(workflowUrl);
		await page.getByTestId('canvas-node').first().waitFor();
	}
	await settle(page);
	await dismissPopups(page);
	const name = panel.as?.name ?? panel.node;
	await page.getByTestId('canvas-node').filter({ hasText: name }).first().dblclick();
	await page.getByTestId('ndv').waitFor();
	const parameters = page.getByTestId('node-parameters');
	await parameters.getByText('Resource', { exact: true }).waitFor();
	await parameters.getByText('Operation', { exact: true }).waitFor();
	const { ranOutput } = panel;
	if (ranOutput) await page.getByTestId('output-panel').getByText(ranOutput).first().waitFor();
	await settle(page);
	await closeToasts(page);
	await parkMouse(page, page.getByTestId('ndv-input-panel'), 40, -40);
	await save(page, panel.file);
	await page.keyboard.press('Escape');
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const started = Date.now();
	if (!existsSync(CHROMIUM)) {
		throw new Error(
			`No Chromium at ${CHROMIUM}: apt-get install chromium, or set HAPPYHORSE_CHROMIUM to one`,
		);
	}
	mkdirSync(OUT_DIR, { recursive: true });
	const n8nPort = await pickPort(Number(process.env.HAPPYHORSE_SCREENSHOTS_PORT ?? 5690));
	const emulatorPort = await pickPort(
		Number(process.env.HAPPYHORSE_SCREENSHOTS_EMULATOR_PORT ?? n8nPort + 1),
	);

	const { ca, n8nEnv } = workspaceStandInCa();
	const dev = await startDevEnvironment({ n8nPort, emulatorPort, n8nEnv, log });
	let context: BrowserContext | undefined;
	let workspace: { stop(): Promise<void> } | undefined;
	const copies: string[] = [];
	const profile = mkdtempSync(join(tmpdir(), 'happyhorse-chromium-'));
	try {
		await deleteLeftoverCopies(dev);
		workspace = await startWorkspaceStandIn(dev, ca, log);
		const workflow = await createExampleCopy(dev, RUN_EXAMPLE);
		copies.push(workflow.id);
		const agent = await createExampleCopy(dev, AGENT_EXAMPLE);
		copies.push(agent.id);

		selectors.setTestIdAttribute('data-test-id');
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: VIEWPORT,
			deviceScaleFactor: 1,
			locale: 'en-US',
			timezoneId: 'UTC',
			colorScheme: 'light',
			reducedMotion: 'reduce',
		});
		context.setDefaultTimeout(30_000);
		const page = context.pages()[0] ?? (await context.newPage());
		const baseUrl = dev.n8n.baseUrl;

		log(
			`Taking screenshots from n8n ${dev.n8n.version} on ${baseUrl} into ${relative(REPO, OUT_DIR)}/`,
		);
		try {
			await signIn(page, baseUrl);
			await credentialScreenshot(page, baseUrl);
			await runScreenshot(page, baseUrl, workflow, EDIT_RUN);
			await nodeScreenshot(page, EDIT_PANEL);
			for (const panel of OPERATION_PANELS) {
				const { id } = await createExampleCopy(dev, panel.example, panel);
				copies.push(id);
				await nodeScreenshot(page, panel, `${baseUrl}/workflow/${id}`);
			}
			await runScreenshot(page, baseUrl, agent, AGENT_RUN);
		} catch (error) {
			// What the browser showed when it went wrong, to see which step and why.
			const failure = join(tmpdir(), 'happyhorse-screenshots-failure.png');
			await page.screenshot({ path: failure }).then(
				() => log(`The page when it failed: ${failure}`),
				() => undefined,
			);
			throw error;
		}
	} finally {
		await context?.close().catch(() => undefined);
		rmSync(profile, { recursive: true, force: true });
		for (const id of copies) await deleteWorkflow(dev, id).catch(() => undefined);
		await workspace?.stop();
		await dev.stop();
		ca.remove();
	}
	log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
