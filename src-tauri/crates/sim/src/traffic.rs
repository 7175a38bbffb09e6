//! The shape of call traffic every simulator shares: a Moscow office day (busy 9–19,
//! quiet at night) and a Poisson number of calls per hour.

use rand::Rng;
use rand::rngs::StdRng;

/// Relative call volume per Moscow hour (busy 9–19, quiet at night).
pub(crate) const HOUR_WEIGHTS: [f64; 24] = [
    0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.10, 0.30, 0.70, 1.00, 1.10, 1.15, 1.10, 0.90, 1.00, 1.10,
    1.05, 1.00, 0.90, 0.70, 0.35, 0.20, 0.12, 0.08,
];

/// Poisson draw; a normal approximation for large means, where Knuth's method underflows.
pub(crate) fn poisson(rng: &mut StdRng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
        let u2: f64 = rng.r#gen();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        return (lambda + z * lambda.sqrt()).round().max(0.0) as u32;
    }
    let limit = (-lambda).exp();
    let mut k = 0u32;
    let mut p: f64 = rng.r#gen();
    while p > limit {
        k += 1;
        p *= rng.r#gen::<f64>();
    }
    k
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn poisson_draws_average_their_mean() {
        let mut rng = StdRng::seed_from_u64(3);
        for lambda in [0.5, 4.0, 80.0] {
            let n = 4000;
            let mean = (0..n)
                .map(|_| f64::from(poisson(&mut rng, lambda)))
                .sum::<f64>()
                / f64::from(n);
            assert!(
                (mean - lambda).abs() < lambda.sqrt() * 0.1 + 0.05,
                "{lambda}: {mean}"
            );
        }
        assert_eq!(poisson(&mut rng, 0.0), 0);
    }
}
