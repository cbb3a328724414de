import { Database } from "bun:sqlite";
import { sqliteStore } from "./src/stores/sqlite/index.ts";
const db = new Database(":memory:");
sqliteStore({ database: db });
const q = (s: string) => console.log(db.query("EXPLAIN QUERY PLAN " + s).all().map((r: any) => r.detail).join("\n"), "\n--");
q(`UPDATE errand_jobs SET state = 'running' WHERE id IN (SELECT id FROM errand_jobs WHERE state IN ('scheduled', 'ready', 'failed') AND run_at <= 5 AND name IN (SELECT value FROM json_each('["a"]')) AND (NULL IS NULL OR queue IN (SELECT value FROM json_each(NULL))) ORDER BY priority DESC, run_at, id LIMIT 10) RETURNING id`);
q(`UPDATE errand_jobs SET state = 'succeeded' WHERE id IN (SELECT value FROM json_each('[1,2]')) AND state = 'running' AND locked_by = 'x'`);
q(`SELECT count(*) FROM errand_jobs WHERE state = 'running' AND name = 'a'`);
q(`UPDATE errand_jobs SET state='ready' WHERE id IN (SELECT id FROM errand_jobs WHERE state = 'running' AND lease_expires_at < 5 LIMIT 10)`);
