#include "airan/phy/modulation/transform_precoding.hpp"

#include <fftw3.h>

#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>

namespace airan::phy {

namespace {

bool is_2_3_5_smooth(int m) {
  if (m < 1) return false;
  for (int f : {2, 3, 5}) {
    while (m % f == 0) m /= f;
  }
  return m == 1;
}

}  // namespace

Status validate_transform_precoding_prbs(int n_prb) {
  if (n_prb < 1 || n_prb > 275) {
    return Error{"n_prb = " + std::to_string(n_prb) + " is outside 1..275 for transform precoding"};
  }
  if (!is_2_3_5_smooth(12 * n_prb)) {
    return Error{"n_prb = " + std::to_string(n_prb) + ": M_sc = " + std::to_string(12 * n_prb) +
                 " is not of the form 2^a 3^b 5^c (38.211 6.3.1.4)"};
  }
  return Status::ok();
}

struct TransformPrecoder::Impl {
  int m = 0;
  float scale = 0;
  fftwf_complex* in = nullptr;
  fftwf_complex* out = nullptr;
  fftwf_plan forward = nullptr;
  fftwf_plan backward = nullptr;

  ~Impl() {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    if (forward != nullptr) fftwf_destroy_plan(forward);
    if (backward != nullptr) fftwf_destroy_plan(backward);
    fftwf_free(in);
    fftwf_free(out);
  }

  Status run(fftwf_plan plan, std::span<const Complex> x, std::span<Complex> y) {
    const auto block = static_cast<std::size_t>(m);
    if (x.size() % block != 0) {
      return Error{"input size " + std::to_string(x.size()) + " is not a multiple of M_sc = " + std::to_string(m)};
    }
    if (y.size() != x.size()) {
      return Error{"output size " + std::to_string(y.size()) + " != input size " + std::to_string(x.size())};
    }
    const std::size_t symbols = x.size() / block;
    for (std::size_t l = 0; l < symbols; ++l) {
      std::memcpy(in, x.data() + l * block, block * sizeof(Complex));
      fftwf_execute(plan);
      const float* r = &out[0][0];
      auto* dst = reinterpret_cast<float*>(y.data() + l * block);
      for (std::size_t i = 0; i < 2 * block; ++i) dst[i] = scale * r[i];
    }
    return Status::ok();
  }
};

TransformPrecoder::TransformPrecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TransformPrecoder::TransformPrecoder(TransformPrecoder&&) noexcept = default;
TransformPrecoder& TransformPrecoder::operator=(TransformPrecoder&&) noexcept = default;
TransformPrecoder::~TransformPrecoder() = default;

Expected<TransformPrecoder> TransformPrecoder::create(int n_prb, bool measure) {
  if (Status s = validate_transform_precoding_prbs(n_prb); !s) return s.error();
  auto impl = std::make_unique<Impl>();
  impl->m = 12 * n_prb;
  impl->scale = 1.0F / std::sqrt(static_cast<float>(impl->m));
  const unsigned flags = measure ? FFTW_MEASURE : FFTW_ESTIMATE;
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    impl->in = fftwf_alloc_complex(static_cast<std::size_t>(impl->m));
    impl->out = fftwf_alloc_complex(static_cast<std::size_t>(impl->m));
    if (impl->in != nullptr && impl->out != nullptr) {
      impl->forward = fftwf_plan_dft_1d(impl->m, impl->in, impl->out, FFTW_FORWARD, flags);
      impl->backward = fftwf_plan_dft_1d(impl->m, impl->in, impl->out, FFTW_BACKWARD, flags);
    }
  }
  if (impl->forward == nullptr || impl->backward == nullptr) {
    return Error{"FFTW could not plan a DFT of size M_sc = " + std::to_string(impl->m)};
  }
  return TransformPrecoder(std::move(impl));
}

int TransformPrecoder::subcarriers() const { return impl_ ? impl_->m : 0; }

Status TransformPrecoder::apply(std::span<const Complex> in, std::span<Complex> out) {
  if (!impl_) return Error{"TransformPrecoder is empty (moved from)"};
  return impl_->run(impl_->forward, in, out);
}

Status TransformPrecoder::apply_inverse(std::span<const Complex> in, std::span<Complex> out) {
  if (!impl_) return Error{"TransformPrecoder is empty (moved from)"};
  return impl_->run(impl_->backward, in, out);
}

}  // namespace airan::phy
