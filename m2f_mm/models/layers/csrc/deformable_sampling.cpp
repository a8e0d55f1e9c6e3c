// Multi-scale deformable attention sampling on CPU: bilinear samples of the
// values at the sampling locations (zero padding, align_corners=False, as
// grid_sample), weighted by the attention weights and summed over levels and
// points. Computes what mmcv's multi_scale_deformable_attn_pytorch computes,
// without materialising the (B*heads, d, Nq, L*P) sampled tensor.
//
// Layouts (all contiguous):
//   value     (B, S, heads, d)        S = sum_l h_l * w_l
//   shapes    (L, 2) long             (h_l, w_l)
//   starts    (L,) long               first token of each level
//   output    (B, Nq, heads, d)
// The entry points (fused_forward, fused_backward) take, instead of the
// locations (B, Nq, heads, L, P, 2) and weights (B, Nq, heads, L, P), the
// reference points, pixel offsets and attention logits, and compute the
// locations and the softmax per (image, query, head) as they go (see
// FusedSamples), forward and backward.
#include <torch/extension.h>
#include <ATen/Parallel.h>
#include <atomic>
#include <cmath>
#include <vector>

namespace {

// The four corners of one bilinear sample: flat token index (or -1 when the
// corner lies outside the map: zero padding) and weight; plus the
// derivatives of the corner weights with respect to x and y (pixels).
template <typename scalar_t>
struct Corners {
  bool finite;  // false for a NaN/Inf location (all corners outside)
  int64_t index[4];
  scalar_t weight[4];
  scalar_t dweight_dx[4];
  scalar_t dweight_dy[4];
};

template <typename scalar_t>
inline Corners<scalar_t> corners_of(scalar_t loc_x, scalar_t loc_y, int64_t h,
                                    int64_t w, int64_t start) {
  // grid_sample's CPU unnormalisation of grid = 2 * loc - 1 (mmcv's path),
  // align_corners=False: (g + 1) * (size / 2) - 0.5, rounded as it rounds
  const scalar_t gx = loc_x * 2 - 1, gy = loc_y * 2 - 1;
  const scalar_t x = std::fma(gx + 1, static_cast<scalar_t>(w) / 2, scalar_t(-0.5));
  const scalar_t y = std::fma(gy + 1, static_cast<scalar_t>(h) / 2, scalar_t(-0.5));
  Corners<scalar_t> c;
  c.finite = std::isfinite(x) && std::isfinite(y);
  if (!(x >= -1 && x < w && y >= -1 && y < h)) {
    // no corner inside the map (or not a number): the sample is zero, and
    // so are its derivatives; no cast of a huge value to an integer
    for (int k = 0; k < 4; ++k) {
      c.index[k] = -1;
      c.weight[k] = c.dweight_dx[k] = c.dweight_dy[k] = 0;
    }
    return c;
  }
  const scalar_t x0f = std::floor(x), y0f = std::floor(y);
  const int64_t x0 = static_cast<int64_t>(x0f), y0 = static_cast<int64_t>(y0f);
  const scalar_t fx = x - x0f, fy = y - y0f;
  const int64_t xs[4] = {x0, x0 + 1, x0, x0 + 1};
  const int64_t ys[4] = {y0, y0, y0 + 1, y0 + 1};
  // nw, ne, sw, se as grid_sample computes them
  c.weight[0] = (1 - fx) * (1 - fy);
  c.weight[1] = fx * (1 - fy);
  c.weight[2] = (1 - fx) * fy;
  c.weight[3] = fx * fy;
  c.dweight_dx[0] = -(1 - fy);
  c.dweight_dx[1] = (1 - fy);
  c.dweight_dx[2] = -fy;
  c.dweight_dx[3] = fy;
  c.dweight_dy[0] = -(1 - fx);
  c.dweight_dy[1] = -fx;
  c.dweight_dy[2] = (1 - fx);
  c.dweight_dy[3] = fx;
  for (int k = 0; k < 4; ++k) {
    const bool inside = xs[k] >= 0 && xs[k] < w && ys[k] >= 0 && ys[k] < h;
    c.index[k] = inside ? start + ys[k] * w + xs[k] : -1;
  }
  return c;
}

// Sizes of one call: value (batch, num_value, heads, dims); samples
// (batch, num_query, heads, levels, points, ...).
struct Layout {
  int64_t batch, num_value, heads, dims, num_query, levels, points;
  Layout(const torch::Tensor& value, const torch::Tensor& samples)
      : batch(value.size(0)), num_value(value.size(1)), heads(value.size(2)),
        dims(value.size(3)), num_query(samples.size(1)),
        levels(samples.size(3)), points(samples.size(4)) {}
};

// Where the sampling locations and attention weights of one (image, query,
// head) come from, and where their gradients go: computed here as Deformable DETR's module does in PyTorch,
//   location = reference + offset / (w_l, h_l)    (offsets in pixels)
//   weights  = softmax over the L * P logits of each head,
// from reference points (1 or B, Nq, 1 or L, 2), pixel offsets
// (B, Nq, heads, L, P, 2) and logits (B, Nq, heads, L * P); the gradients go
// to the offsets and logits.
template <typename scalar_t>
struct FusedSamples {
  const scalar_t* reference;
  const scalar_t* offsets;
  const scalar_t* logits;
  scalar_t* grad_offsets;
  scalar_t* grad_logits;
  const int64_t* shapes;
  int64_t ref_batch_stride, ref_levels, num_query, heads, levels, points;

  void get(int64_t sample_id, int64_t b, int64_t q, scalar_t* loc_buf,
           scalar_t* attn_buf, const scalar_t** l, const scalar_t** a) const {
    const int64_t lp = levels * points;
    const scalar_t* off = offsets + sample_id * lp * 2;
    const scalar_t* logit = logits + sample_id * lp;
    const scalar_t* ref = reference + b * ref_batch_stride + q * ref_levels * 2;
    for (int64_t lv = 0; lv < levels; ++lv) {
      const scalar_t* r = ref + (ref_levels == 1 ? 0 : lv * 2);
      const scalar_t w = static_cast<scalar_t>(shapes[2 * lv + 1]);
      const scalar_t h = static_cast<scalar_t>(shapes[2 * lv]);
      for (int64_t p = 0; p < points; ++p) {
        const int64_t i = lv * points + p;
        loc_buf[2 * i] = r[0] + off[2 * i] / w;
        loc_buf[2 * i + 1] = r[1] + off[2 * i + 1] / h;
      }
    }
    scalar_t top = logit[0];
    for (int64_t i = 1; i < lp; ++i) top = std::max(top, logit[i]);
    scalar_t sum = 0;
    for (int64_t i = 0; i < lp; ++i) {
      attn_buf[i] = std::exp(logit[i] - top);
      sum += attn_buf[i];
    }
    for (int64_t i = 0; i < lp; ++i) attn_buf[i] /= sum;
    *l = loc_buf;
    *a = attn_buf;
  }
  void put_grads(int64_t sample_id, const scalar_t* g_loc,
                 const scalar_t* g_attn, const scalar_t* attn) const {
    const int64_t lp = levels * points;
    scalar_t* g_off = grad_offsets + sample_id * lp * 2;
    scalar_t* g_logit = grad_logits + sample_id * lp;
    for (int64_t lv = 0; lv < levels; ++lv) {
      const scalar_t w = static_cast<scalar_t>(shapes[2 * lv + 1]);
      const scalar_t h = static_cast<scalar_t>(shapes[2 * lv]);
      for (int64_t p = 0; p < points; ++p) {
        const int64_t i = lv * points + p;
        g_off[2 * i] = g_loc[2 * i] / w;
        g_off[2 * i + 1] = g_loc[2 * i + 1] / h;
      }
    }
    scalar_t dot = 0;  // softmax backward
    for (int64_t i = 0; i < lp; ++i) dot += g_attn[i] * attn[i];
    for (int64_t i = 0; i < lp; ++i) g_logit[i] = attn[i] * (g_attn[i] - dot);
  }
};

template <typename scalar_t, typename Samples>
void forward_kernel(const scalar_t* value, const int64_t* shapes,
                    const int64_t* starts, const Samples& samples,
                    scalar_t* out, const Layout& size,
                    std::atomic<bool>* non_finite) {
  const int64_t batch = size.batch, num_value = size.num_value,
                heads = size.heads, dims = size.dims,
                num_query = size.num_query, levels = size.levels,
                points = size.points, lp = levels * points;
  at::parallel_for(0, batch * num_query, 1, [&](int64_t begin, int64_t end) {
    std::vector<scalar_t> sample(dims), loc_buf(2 * lp), attn_buf(lp);
    for (int64_t bq = begin; bq < end; ++bq) {
      const int64_t b = bq / num_query, q = bq % num_query;
      for (int64_t head = 0; head < heads; ++head) {
        const int64_t sample_id = bq * heads + head;
        const scalar_t *l_ptr, *a_ptr;
        samples.get(sample_id, b, q, loc_buf.data(), attn_buf.data(), &l_ptr,
                    &a_ptr);
        scalar_t* o = out + sample_id * dims;
        for (int64_t d = 0; d < dims; ++d) o[d] = 0;
        for (int64_t l = 0; l < levels; ++l) {
          const int64_t h = shapes[2 * l], w = shapes[2 * l + 1];
          for (int64_t p = 0; p < points; ++p) {
            const int64_t i = l * points + p;
            const auto c = corners_of<scalar_t>(l_ptr[2 * i], l_ptr[2 * i + 1],
                                                h, w, starts[l]);
            if (!c.finite) non_finite->store(true, std::memory_order_relaxed);
            for (int64_t d = 0; d < dims; ++d) sample[d] = 0;
            for (int k = 0; k < 4; ++k) {
              if (c.index[k] < 0) continue;
              const scalar_t* v =
                  value + ((b * num_value + c.index[k]) * heads + head) * dims;
              const scalar_t cw = c.weight[k];
              for (int64_t d = 0; d < dims; ++d) sample[d] += v[d] * cw;
            }
            const scalar_t a = a_ptr[i];
            for (int64_t d = 0; d < dims; ++d) o[d] += sample[d] * a;
          }
        }
      }
    }
  });
}

template <typename scalar_t, typename Samples>
void backward_kernel(const scalar_t* value, const int64_t* shapes,
                     const int64_t* starts, const Samples& samples,
                     const scalar_t* grad_out, scalar_t* grad_value,
                     const Layout& size) {
  const int64_t batch = size.batch, num_value = size.num_value,
                heads = size.heads, dims = size.dims,
                num_query = size.num_query, levels = size.levels,
                points = size.points, lp = levels * points;
  // one (image, head) per task: each writes its own slice of grad_value
  at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
    std::vector<scalar_t> loc_buf(2 * lp), attn_buf(lp), gl(2 * lp), ga(lp);
    for (int64_t bh = begin; bh < end; ++bh) {
      const int64_t b = bh / heads, head = bh % heads;
      for (int64_t q = 0; q < num_query; ++q) {
        const int64_t sample_id = (b * num_query + q) * heads + head;
        const scalar_t *l_ptr, *a_ptr;
        samples.get(sample_id, b, q, loc_buf.data(), attn_buf.data(), &l_ptr,
                    &a_ptr);
        const scalar_t* g = grad_out + sample_id * dims;
        for (int64_t l = 0; l < levels; ++l) {
          const int64_t h = shapes[2 * l], w = shapes[2 * l + 1];
          for (int64_t p = 0; p < points; ++p) {
            const int64_t i = l * points + p;
            const auto c = corners_of<scalar_t>(l_ptr[2 * i], l_ptr[2 * i + 1],
                                                h, w, starts[l]);
            const scalar_t a = a_ptr[i];
            scalar_t g_attn = 0, g_x = 0, g_y = 0;
            for (int k = 0; k < 4; ++k) {
              if (c.index[k] < 0) continue;
              const int64_t offset =
                  ((b * num_value + c.index[k]) * heads + head) * dims;
              const scalar_t* v = value + offset;
              scalar_t* gv = grad_value + offset;
              scalar_t dot = 0;
              for (int64_t d = 0; d < dims; ++d) dot += g[d] * v[d];
              const scalar_t scale = a * c.weight[k];
              for (int64_t d = 0; d < dims; ++d) gv[d] += g[d] * scale;
              g_attn += dot * c.weight[k];
              g_x += dot * c.dweight_dx[k];
              g_y += dot * c.dweight_dy[k];
            }
            ga[i] = g_attn;
            // x = loc_x * w - 0.5: d x / d loc_x = w
            gl[2 * i] = g_x * a * w;
            gl[2 * i + 1] = g_y * a * h;
          }
        }
        samples.put_grads(sample_id, gl.data(), ga.data(), a_ptr);
      }
    }
  });
}

// The forward kernel over the samples make_samples(scalar_t{}) describes.
template <typename MakeSamples>
torch::Tensor run_forward(const torch::Tensor& value, const torch::Tensor& shapes,
                          const torch::Tensor& starts, const Layout& size,
                          MakeSamples make_samples) {
  auto out = torch::empty({size.batch, size.num_query, size.heads, size.dims},
                          value.options());
  std::atomic<bool> non_finite(false);
  AT_DISPATCH_FLOATING_TYPES(value.scalar_type(), "deformable_sampling_forward", [&] {
    forward_kernel<scalar_t>(value.data_ptr<scalar_t>(),
                             shapes.data_ptr<int64_t>(),
                             starts.data_ptr<int64_t>(),
                             make_samples(scalar_t{}),
                             out.data_ptr<scalar_t>(), size, &non_finite);
  });
  TORCH_CHECK(!non_finite.load(), "deformable_sampling: non-finite sampling "
              "locations");
  return out.view({size.batch, size.num_query, size.heads * size.dims});
}

// The backward kernel; returns the values' gradient (the samples write
// theirs).
template <typename MakeSamples>
torch::Tensor run_backward(const torch::Tensor& grad_out,
                           const torch::Tensor& value, const torch::Tensor& shapes,
                           const torch::Tensor& starts, const Layout& size,
                           MakeSamples make_samples) {
  auto grad_value = torch::zeros_like(value);
  AT_DISPATCH_FLOATING_TYPES(value.scalar_type(), "deformable_sampling_backward", [&] {
    backward_kernel<scalar_t>(value.data_ptr<scalar_t>(),
                              shapes.data_ptr<int64_t>(),
                              starts.data_ptr<int64_t>(),
                              make_samples(scalar_t{}),
                              grad_out.data_ptr<scalar_t>(),
                              grad_value.data_ptr<scalar_t>(), size);
  });
  return grad_value;
}

void check_fused(const torch::Tensor& value, const torch::Tensor& shapes,
                 const torch::Tensor& reference, const torch::Tensor& offsets,
                 const torch::Tensor& logits) {
  TORCH_CHECK(!value.is_cuda(), "deformable_sampling: CPU tensors only");
  TORCH_CHECK(value.dim() == 4, "value must be (B, S, heads, d)");
  TORCH_CHECK(offsets.dim() == 6 && offsets.size(5) == 2 &&
                  offsets.size(0) == value.size(0) &&
                  offsets.size(2) == value.size(2) &&
                  offsets.size(3) == shapes.size(0),
              "offsets must be (B, Nq, heads, L, P, 2) as value and shapes");
  TORCH_CHECK(logits.dim() == 4 &&
                  logits.sizes().slice(0, 3) == offsets.sizes().slice(0, 3) &&
                  logits.size(3) == offsets.size(3) * offsets.size(4),
              "attention logits must be (B, Nq, heads, L * P)");
  TORCH_CHECK(reference.dim() == 4 && reference.size(3) == 2 &&
                  (reference.size(0) == 1 ||
                   reference.size(0) == value.size(0)) &&
                  reference.size(1) == offsets.size(1) &&
                  (reference.size(2) == 1 ||
                   reference.size(2) == offsets.size(3)),
              "reference points must be (1 or B, Nq, 1 or L, 2)");
  TORCH_CHECK(value.scalar_type() == offsets.scalar_type() &&
                  value.scalar_type() == logits.scalar_type() &&
                  value.scalar_type() == reference.scalar_type(),
              "value, reference points, offsets and logits must share one "
              "dtype");
  TORCH_CHECK(shapes.scalar_type() == torch::kLong,
              "spatial shapes must be long");
}


template <typename T>
FusedSamples<T> fused_samples(const torch::Tensor& shapes,
                              const torch::Tensor& reference,
                              const torch::Tensor& offsets,
                              const torch::Tensor& logits, T* grad_offsets,
                              T* grad_logits) {
  const int64_t ref_levels = reference.size(2);
  return FusedSamples<T>{
      reference.data_ptr<T>(), offsets.data_ptr<T>(), logits.data_ptr<T>(),
      grad_offsets, grad_logits, shapes.data_ptr<int64_t>(),
      reference.size(0) == 1 ? 0 : reference.size(1) * ref_levels * 2,
      ref_levels, offsets.size(1), offsets.size(2), offsets.size(3),
      offsets.size(4)};
}

torch::Tensor fused_forward(torch::Tensor value, torch::Tensor shapes,
                            torch::Tensor starts, torch::Tensor reference,
                            torch::Tensor offsets, torch::Tensor logits) {
  check_fused(value, shapes, reference, offsets, logits);
  value = value.contiguous(); reference = reference.contiguous();
  offsets = offsets.contiguous(); logits = logits.contiguous();
  shapes = shapes.contiguous(); starts = starts.contiguous();
  return run_forward(value, shapes, starts, Layout(value, offsets),
                     [&](auto zero) {
    using T = decltype(zero);
    return fused_samples<T>(shapes, reference, offsets, logits, nullptr,
                            nullptr);
  });
}

std::vector<torch::Tensor> fused_backward(
    torch::Tensor grad_out, torch::Tensor value, torch::Tensor shapes,
    torch::Tensor starts, torch::Tensor reference, torch::Tensor offsets,
    torch::Tensor logits) {
  check_fused(value, shapes, reference, offsets, logits);
  value = value.contiguous(); reference = reference.contiguous();
  offsets = offsets.contiguous(); logits = logits.contiguous();
  shapes = shapes.contiguous(); starts = starts.contiguous();
  grad_out = grad_out.contiguous().to(value.scalar_type());
  auto grad_offsets = torch::empty_like(offsets);
  auto grad_logits = torch::empty_like(logits);
  auto grad_value = run_backward(
      grad_out, value, shapes, starts, Layout(value, offsets), [&](auto zero) {
        using T = decltype(zero);
        return fused_samples<T>(shapes, reference, offsets, logits,
                                grad_offsets.data_ptr<T>(),
                                grad_logits.data_ptr<T>());
      });
  return {grad_value, grad_offsets, grad_logits};
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("fused_forward", &fused_forward,
        "deformable attention from offsets and logits, forward (CPU)");
  m.def("fused_backward", &fused_backward,
        "deformable attention from offsets and logits, backward (CPU)");
}
