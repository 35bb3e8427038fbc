export function openApiArtifacts(document: Record<string, unknown>): Promise<{ json: string; types: string }>;
export const artifactPaths: { json: URL; types: URL };
