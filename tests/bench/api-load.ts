import autocannon from "autocannon";

/**
 * The load generator of `npm run bench -- api`, run as its own process so that it does not
 * share the server's event loop: GET /api/v1/customers/{id}/segments for random customers of
 * B0000001…B<customers>, as fast as it can or, given a rate, at that many requests per second
 * overall. Prints autocannon's result as JSON.
 */
const [url, key, customers, seconds, connections, rate] = process.argv.slice(2);
const n = Number(customers);
let seed = 12345;
const next = () => (seed = (seed * 16807) % 2147483647);

const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  ...(rate ? { overallRate: Number(rate) } : {}),
  headers: { authorization: `Bearer ${key}` },
  requests: [
    {
      method: "GET",
      setupRequest: (req) => ({ ...req, path: `/api/v1/customers/B${String(1 + (next() % n)).padStart(7, "0")}/segments` }),
    },
  ],
});
process.stdout.write(JSON.stringify(result));
