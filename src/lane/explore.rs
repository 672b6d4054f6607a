//! InfoGAN's code explorer: the generator on one fixed latent vector with its codes swept.

use burn::module::AutodiffModule;
use burn::tensor::{backend::AutodiffBackend, Tensor, TensorData};

use super::{Lane, GRID};
use crate::readback::read_f32;

impl<B: AutodiffBackend> Lane<B> {
    /// Code explorer: the fixed latent vector `z_index` of the sample grid with every categorical value
    /// (rows) and continuous code `sweep` running from -1 to 1 over `cols` columns, the other continuous
    /// codes set to `other`. `categorical × cols × 784` bytes, row-major.
    pub async fn code_grid(&self, z_index: usize, sweep: usize, other: f32, cols: usize) -> Result<Vec<u8>, String> {
        let spec = self.objective.g_spec();
        if spec.categorical == 0 || spec.continuous == 0 {
            return Err(format!("objective {} has no latent codes to explore", self.config.objective));
        }
        if z_index >= GRID || sweep >= spec.continuous || !(2..=16).contains(&cols) || !other.is_finite() {
            return Err(format!(
                "code grid: z index must be below {GRID}, sweep below {}, columns 2 to 16 and the other code finite",
                spec.continuous
            ));
        }
        let (latent, width) = (self.config.latent, self.config.latent + spec.codes());
        let z = &self.fixed_host[z_index * width..z_index * width + latent];
        let mut v = Vec::with_capacity(spec.categorical * cols * width);
        for c in 0..spec.categorical {
            for j in 0..cols {
                v.extend_from_slice(z);
                v.extend((0..spec.categorical).map(|k| f32::from(u8::from(k == c))));
                let t = -1.0 + 2.0 * j as f32 / (cols - 1) as f32;
                v.extend((0..spec.continuous).map(|k| if k == sweep { t } else { other }));
            }
        }
        let n = spec.categorical * cols;
        let input = Tensor::from_data(TensorData::new(v, [n, width]), &self.device);
        Ok(crate::render::to_bytes(&read_f32(self.state.g.valid().forward(input), "code grid").await?))
    }
}
