// Writes the public API's OpenAPI document and its client types into @fiscal/contracts.
// Needs the gateway built (`npm run build`); a test fails while the committed files differ.
import { writeFile } from 'node:fs/promises';
import { openApiDocument } from '../dist/main.js';
import { artifactPaths, openApiArtifacts } from './openapi-artifacts.mjs';

const { json, types } = await openApiArtifacts(await openApiDocument());
await writeFile(artifactPaths.json, json);
await writeFile(artifactPaths.types, types);
console.log(`wrote ${artifactPaths.json.pathname} and ${artifactPaths.types.pathname}`);
