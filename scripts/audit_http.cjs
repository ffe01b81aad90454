// The graphql-http package's server audits (GraphQL over HTTP) against a live /graphql.
// Usage: NODE_PATH=.audit/node_modules node scripts/audit_http.cjs http://127.0.0.1:8000/graphql
// Prints each warning and error, and a JSON summary of all statuses last; exits 1 on any
// warning or error (notices are MAYs, not failures).
const { auditServer } = require("graphql-http");

async function main() {
  const url = process.argv[2];
  const results = await auditServer({ url });
  const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
  for (const result of results) {
    counts[result.status] += 1;
    if (result.status === "warn" || result.status === "error") {
      console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
    }
  }
  console.log(JSON.stringify(counts));
  process.exit(counts.warn + counts.error > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
