import { randomBytes } from 'node:crypto';
import { serviceUrls } from '@fiscal/kit/testing';
import pg from 'pg';

/** A fresh PostgreSQL database for one test run, dropped by `dispose`. */
export async function createScratchDatabase(
  prefix: string,
): Promise<{ url: string; dispose(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serviceUrls.postgres });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serviceUrls.postgres);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async dispose() {
      const client = new pg.Client({ connectionString: serviceUrls.postgres });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
