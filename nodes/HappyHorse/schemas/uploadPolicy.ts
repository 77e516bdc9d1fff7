import { z } from 'zod';

/** DashScope's temporary upload (docs/API.md, "Temporary upload"). */

/** The answer of `GET {base}/uploads?action=getPolicy&model=…`. */
export const uploadPolicySchema = z.object({
	data: z.object({
		policy: z.string().min(1),
		signature: z.string().min(1),
		upload_dir: z.string().min(1),
		upload_host: z.string().url(),
		oss_access_key_id: z.string().min(1),
		x_oss_object_acl: z.string().default('private'),
		x_oss_forbid_overwrite: z.string().default('true'),
		max_file_size_mb: z.coerce.number().optional(),
	}),
	request_id: z.string().optional(),
});

export type UploadPolicy = z.infer<typeof uploadPolicySchema>['data'];
