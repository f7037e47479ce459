//! A tiny deterministic generator (Knuth's MMIX LCG) shared by the data generators: a seed
//! always gives the same district or city.
pub struct Lcg(pub u64);

impl Lcg {
    /// A generator of its own for one part of the data (a table, a day), so that the parts do
    /// not depend on the order they are made in.
    pub fn stream(seed: u64, part: u64) -> Lcg {
        let mut g = Lcg(seed ^ part.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        g.draw();
        g
    }
    pub fn draw(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.draw() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.draw() as f64 / (1u64 << 31) as f64) < p
    }
}
