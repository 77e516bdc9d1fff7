import { OWNER } from '../dev/n8n';
import { DEV_CREDENTIAL_NAME, startDevEnvironment } from '../dev/devEnvironment';

/**
 * `npm run dev`: builds the package, installs it into a pinned real n8n 2.x (installed once into
 * .cache/), starts the HappyHorse emulator, creates a ready credential and imports the example
 * workflows, then prints the editor URL. Ctrl+C stops everything.
 */

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
	const dev = await startDevEnvironment({
		n8nPort: Number(process.env.HAPPYHORSE_DEV_PORT ?? 5678),
		emulatorPort: Number(process.env.HAPPYHORSE_EMULATOR_PORT ?? 5679),
		log,
	});
	const stop = async () => {
		log('\nStopping n8n and the emulator…');
		await dev.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());

	log('');
	log(`n8n ${dev.n8n.version} with n8n-nodes-happyhorse is ready: ${dev.n8n.baseUrl}`);
	log(`  sign in as ${OWNER.email} / ${OWNER.password}`);
	log(`  credential "${DEV_CREDENTIAL_NAME}" talks to the emulator (no API key needed)`);
	log(
		dev.imported.length > 0
			? `  imported: ${dev.imported.join('; ')}`
			: '  the example workflows are already there',
	);
	log(`  edited videos written by the examples land in ${dev.outputDir}`);
	log('Press Ctrl+C to stop.');
}

main().catch((error: unknown) => {
	process.stderr.write(
		`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
