// `npm run web:types`: regenerates web/src/api/schema.gen.ts from the server's routes.
import { writeFileSync } from 'node:fs';
import { GENERATED_FILE, generateTypes, serverDocument } from './openapi.js';

const source = await generateTypes(await serverDocument());
writeFileSync(GENERATED_FILE, source);
process.stdout.write(`wrote ${GENERATED_FILE} (${source.length} characters)\n`);
