#include "airan/phy/mimo/layer_mapping.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

namespace airan::phy {
namespace {

// Interleaved <-> layer-major, with the layer count a compile-time constant so the compiler
// unrolls the inner loop. `layered` points at the first of L layers, stride M.
template <int L, typename T>
void map_fixed(const T* d, std::size_t m, T* layered) {
  for (std::size_t i = 0; i < m; ++i) {
    for (int v = 0; v < L; ++v) layered[v * m + i] = d[L * i + v];
  }
}
template <int L, typename T>
void demap_fixed(const T* layered, std::size_t m, T* d) {
  for (std::size_t i = 0; i < m; ++i) {
    for (int v = 0; v < L; ++v) d[L * i + v] = layered[v * m + i];
  }
}

template <typename T>
void map_n(const T* d, int layers, std::size_t m, T* layered) {
  switch (layers) {
    case 1:
      std::copy(d, d + m, layered);
      return;
    case 2:
      return map_fixed<2>(d, m, layered);
    case 3:
      return map_fixed<3>(d, m, layered);
    default:
      return map_fixed<4>(d, m, layered);
  }
}
template <typename T>
void demap_n(const T* layered, int layers, std::size_t m, T* d) {
  switch (layers) {
    case 1:
      std::copy(layered, layered + m, d);
      return;
    case 2:
      return demap_fixed<2>(layered, m, d);
    case 3:
      return demap_fixed<3>(layered, m, d);
    default:
      return demap_fixed<4>(layered, m, d);
  }
}

Status check_one_codeword(std::size_t codeword_size, int layers, std::size_t layered_size, const char* codeword_name) {
  if (layers < 1 || layers > kMaxLayersOneCodeword) {
    return Error{"layers = " + std::to_string(layers) + " is outside 1.." + std::to_string(kMaxLayersOneCodeword) +
                 " for one codeword"};
  }
  if (codeword_size % static_cast<std::size_t>(layers) != 0) {
    return Error{std::string(codeword_name) + " size " + std::to_string(codeword_size) +
                 " is not a multiple of layers = " + std::to_string(layers)};
  }
  if (layered_size != codeword_size) {
    return Error{"layered size " + std::to_string(layered_size) + " != " + codeword_name + " size " +
                 std::to_string(codeword_size)};
  }
  return Status::ok();
}

template <typename T>
Status demap_one(std::span<const T> layered, int layers, std::span<T> codeword) {
  if (Status s = check_one_codeword(codeword.size(), layers, layered.size(), "codeword"); !s) return s;
  demap_n(layered.data(), layers, codeword.size() / layers, codeword.data());
  return Status::ok();
}

// Sizes of a PDSCH mapping: M per layer, or an error.
Expected<std::size_t> check_pdsch(std::size_t cw0, std::size_t cw1, int layers, std::size_t layered) {
  if (layers < 1 || layers > kMaxPdschLayers) {
    return Error{"layers = " + std::to_string(layers) + " is outside 1..8 for PDSCH"};
  }
  if (layers <= kMaxLayersOneCodeword) {
    if (cw1 != 0) {
      return Error{"cw1 must be empty for " + std::to_string(layers) + " layers (one codeword), has size " +
                   std::to_string(cw1)};
    }
    if (Status s = check_one_codeword(cw0, layers, layered, "cw0"); !s) return s.error();
    return cw0 / static_cast<std::size_t>(layers);
  }
  const int l0 = pdsch_codeword_layers(layers, 0);
  const int l1 = pdsch_codeword_layers(layers, 1);
  if (cw0 % static_cast<std::size_t>(l0) != 0) {
    return Error{"cw0 size " + std::to_string(cw0) + " is not a multiple of its " + std::to_string(l0) + " layers"};
  }
  const std::size_t m = cw0 / static_cast<std::size_t>(l0);
  if (cw1 != m * static_cast<std::size_t>(l1)) {
    return Error{"cw1 size " + std::to_string(cw1) + " != " + std::to_string(l1) + " layers x " + std::to_string(m) +
                 " symbols per layer (from cw0 on " + std::to_string(l0) + " layers)"};
  }
  if (layered != m * static_cast<std::size_t>(layers)) {
    return Error{"layered size " + std::to_string(layered) + " != " + std::to_string(layers) + " layers x " +
                 std::to_string(m)};
  }
  return m;
}

template <typename T>
Status pdsch_demap(std::span<const T> layered, int layers, std::span<T> cw0, std::span<T> cw1) {
  const Expected<std::size_t> m = check_pdsch(cw0.size(), cw1.size(), layers, layered.size());
  if (!m) return m.error();
  const int l0 = pdsch_codeword_layers(layers, 0);
  demap_n(layered.data(), l0, *m, cw0.data());
  if (layers > kMaxLayersOneCodeword) {
    demap_n(layered.data() + l0 * *m, pdsch_codeword_layers(layers, 1), *m, cw1.data());
  }
  return Status::ok();
}

}  // namespace

Status layer_map(std::span<const Complex> codeword, int layers, std::span<Complex> layered) {
  if (Status s = check_one_codeword(codeword.size(), layers, layered.size(), "codeword"); !s) return s;
  map_n(codeword.data(), layers, codeword.size() / layers, layered.data());
  return Status::ok();
}

Status layer_demap(std::span<const Complex> layered, int layers, std::span<Complex> codeword) {
  return demap_one(layered, layers, codeword);
}

Status layer_demap(std::span<const float> layered, int layers, std::span<float> codeword) {
  return demap_one(layered, layers, codeword);
}

int pdsch_codewords(int layers) {
  if (layers < 1 || layers > kMaxPdschLayers) return 0;
  return layers <= kMaxLayersOneCodeword ? 1 : 2;
}

int pdsch_codeword_layers(int layers, int codeword) {
  if (layers < 1 || layers > kMaxPdschLayers || codeword < 0 || codeword > 1) return 0;
  if (layers <= kMaxLayersOneCodeword) return codeword == 0 ? layers : 0;
  return codeword == 0 ? layers / 2 : layers - layers / 2;  // 5: 2+3, 6: 3+3, 7: 3+4, 8: 4+4
}

Status pdsch_layer_map(std::span<const Complex> cw0, std::span<const Complex> cw1, int layers,
                       std::span<Complex> layered) {
  const Expected<std::size_t> m = check_pdsch(cw0.size(), cw1.size(), layers, layered.size());
  if (!m) return m.error();
  const int l0 = pdsch_codeword_layers(layers, 0);
  map_n(cw0.data(), l0, *m, layered.data());
  if (layers > kMaxLayersOneCodeword) {
    map_n(cw1.data(), pdsch_codeword_layers(layers, 1), *m, layered.data() + l0 * *m);
  }
  return Status::ok();
}

Status pdsch_layer_demap(std::span<const Complex> layered, int layers, std::span<Complex> cw0,
                         std::span<Complex> cw1) {
  return pdsch_demap(layered, layers, cw0, cw1);
}

Status pdsch_layer_demap(std::span<const float> layered, int layers, std::span<float> cw0, std::span<float> cw1) {
  return pdsch_demap(layered, layers, cw0, cw1);
}

}  // namespace airan::phy
