//! The callers every simulator shares: one pool of clients per seed, so the same client
//! calls through MTT one day and through Beeline or MTS the next, and a search for a
//! number finds that client's calls across providers.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::mix_all;

/// How many distinct clients call the simulated call center.
pub const CLIENT_POOL_SIZE: usize = 400;
const TAG_POOL: u64 = 0x9001;

/// The pool of client numbers for one seed, in canonical `7XXXXXXXXXX` form.
#[derive(Debug, Clone)]
pub struct Population {
    clients: Vec<String>,
}

impl Population {
    /// Mostly mobiles (`79…`), some Moscow (`7495…`) and St Petersburg (`7812…`) lines.
    pub fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(mix_all(&[seed, TAG_POOL]));
        let mut clients: Vec<String> = Vec::with_capacity(CLIENT_POOL_SIZE);
        while clients.len() < CLIENT_POOL_SIZE {
            let r: f64 = rng.r#gen();
            let number = if r < 0.82 {
                format!("79{:09}", rng.gen_range(0..1_000_000_000u64))
            } else if r < 0.92 {
                format!("7495{:07}", rng.gen_range(1_000_000..10_000_000u64))
            } else {
                format!("7812{:07}", rng.gen_range(1_000_000..10_000_000u64))
            };
            if !clients.contains(&number) {
                clients.push(number);
            }
        }
        Self { clients }
    }

    /// Every client, the most frequent callers first.
    pub fn clients(&self) -> &[String] {
        &self.clients
    }

    /// A client drawn with a skew towards the start of the pool, so regular clients call
    /// again and again.
    pub fn pick(&self, rng: &mut impl Rng) -> &str {
        let i = (rng.r#gen::<f64>().powi(2) * self.clients.len() as f64) as usize;
        &self.clients[i.min(self.clients.len() - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_one_population() {
        let a = Population::new(7);
        assert_eq!(a.clients(), Population::new(7).clients());
        assert_ne!(a.clients(), Population::new(8).clients());
        assert_eq!(a.clients().len(), CLIENT_POOL_SIZE);
        assert!(
            a.clients()
                .iter()
                .all(|n| n.len() == 11 && n.starts_with('7'))
        );
        let mut rng = StdRng::seed_from_u64(1);
        let picks: Vec<&str> = (0..2000).map(|_| a.pick(&mut rng)).collect();
        let first = picks.iter().filter(|n| **n == a.clients()[0]).count();
        let last = picks
            .iter()
            .filter(|n| **n == a.clients()[CLIENT_POOL_SIZE - 1])
            .count();
        assert!(first > last, "regulars call more often ({first} vs {last})");
    }
}
