/** Who owns every n8n this starts, and how 2.x learns it. */
import { createRequire } from 'node:module';
import * as path from 'node:path';

import type { N8nInstall } from './install';
import { n8nPackageDir } from './install';

/** The instance owner on every n8n this starts (a throw-away local account). */
export const OWNER = {
	email: 'owner@happyhorse.test',
	password: 'HappyHorse-e2e-1',
	firstName: 'Happy',
	lastName: 'Horse',
} as const;

/**
 * 2.x takes its owner from the environment, so it is ready without a setup call: these variables
 * make OWNER its owner. 1.x has none until POST /rest/owner/setup (ensureOwner, restClient.ts).
 */
export function ownerEnv(install: N8nInstall): Record<string, string> {
	const bcrypt = createRequire(path.join(n8nPackageDir(install), 'package.json'))('bcryptjs') as {
		hashSync(password: string, rounds: number): string;
	};
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER.password, 10),
	};
}
