import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core reads and writes <N8N_USER_FOLDER>/.n8n/config as soon as it is loaded; keep every
// test worker's copy in a throw-away folder instead of the developer's home.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'happyhorse-test-'));

// n8n's logger prints every node error; tests that read the log turn it back up themselves.
process.env.N8N_LOG_LEVEL ??= 'silent';
