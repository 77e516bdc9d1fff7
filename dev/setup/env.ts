import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core reads and writes <N8N_USER_FOLDER>/.n8n/config as soon as it is loaded; keep every
// test worker's copy in a throw-away folder instead of the developer's home.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'happyhorse-test-'));

/** `HAPPYHORSE_TEST_LOGS=1 npm test` shows n8n's engine log on the console; it is off otherwise. */
export const SHOW_N8N_LOGS = process.env.HAPPYHORSE_TEST_LOGS === '1';

// n8n's logger prints every node error; tests that read the log turn it back up themselves.
process.env.N8N_LOG_LEVEL ??= SHOW_N8N_LOGS ? 'debug' : 'silent';
