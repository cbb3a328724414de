import { Database } from "bun:sqlite";
const base = `name text not null, queue text not null, payload text not null, state text not null, priority integer not null, run_at integer not null, attempts integer not null default 0, max_attempts integer not null, key text, locked_by text, lease_expires_at integer, enqueued_at integer not null, finished_at integer, errors text not null default '[]'`;
const idx = ["create unique index k on j(key) where key is not null", "create index c on j(priority desc, run_at, id) where state in ('scheduled','ready','failed')", "create index l on j(lease_expires_at) where state='running'"];
const variants: Record<string, [string[], string]> = {
  plain: [[`create table j (id integer primary key, ${base})`, ...idx], "insert into j (name, queue, payload, state, priority, run_at, max_attempts, key, enqueued_at) values ('noop','default','{\"n\":1}','ready',0,?1,10,null,?1) on conflict (key) where key is not null do nothing returning id"],
  highwater: [[`create table j (id integer primary key, ${base})`, ...idx, "create table m (id integer primary key, high integer not null)"], "insert into j (id, name, queue, payload, state, priority, run_at, max_attempts, key, enqueued_at) values (max(coalesce((select max(id) from j), 0), coalesce((select high from m where id = 1), 0)) + 1, 'noop','default','{\"n\":1}','ready',0,?1,10,null,?1) on conflict (key) where key is not null do nothing returning id"],
};
for (let r = 0; r < 2; r++) for (const [name, [ddl, ins]] of Object.entries(variants)) {
  const db = new Database(`/tmp/m5-${Date.now()}-${name}.db`);
  db.run("PRAGMA journal_mode = WAL"); db.run("PRAGMA synchronous = NORMAL");
  for (const d of ddl) db.run(d);
  const st = db.prepare(ins);
  const many = db.transaction((n: number) => { for (let i = 0; i < n; i++) st.get(i); });
  let t = performance.now();
  for (let b = 0; b < 40; b++) many(1000);
  console.log(name, "batch us/row", (((performance.now() - t) * 1000) / 40000).toFixed(2));
}
