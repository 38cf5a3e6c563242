/** Erlang-C: mean response time (wait + service) of an M/M/k queue with arrival rate lam and service rate mu per slot. */
export function erlangCMeanResponse(lam: number, k: number, mu: number): number {
  const a = lam / mu, rho = a / k;
  if (!(rho < 1)) throw new Error('unstable');
  let term = 1, sum = 0;
  for (let i = 0; i < k; i++) {
    sum += term;
    term *= a / (i + 1);
  }
  const top = term / (1 - rho);
  const c = top / (sum + top);
  return c / (k * mu - lam) + 1 / mu;
}
