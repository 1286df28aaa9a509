// Codebook-based PUSCH precoding, TS 38.211 6.3.1.5: z = W y per resource element.
//
// Tables 6.3.1.5-1 (1 layer, 2 ports), -2 (1 layer, 4 ports, transform precoding enabled),
// -3 (1 layer, 4 ports, transform precoding disabled), -4 (2 layers, 2 ports), -5 (2 layers,
// 4 ports), -6 (3 layers, 4 ports), -7 (4 layers, 4 ports); one port, one layer: W = 1.
// With the spec's scale factors, ||W||_F^2 = (ports with a non-zero row) / ports: 1 for the
// fully coherent matrices, 1/2 or 1/4 (or 3/4 for 3 layers) for the antenna-selecting ones.
#pragma once

#include <array>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

inline constexpr int kMaxPrecodingPorts = 4;
inline constexpr int kMaxPrecodingLayers = 4;

struct PrecodingMatrix {
  int ports = 0;
  int layers = 0;
  std::array<Complex, kMaxPrecodingPorts * kMaxPrecodingLayers> w{};  // [port][layer]

  Complex operator()(int port, int layer) const { return w[port * kMaxPrecodingLayers + layer]; }
  Complex& operator()(int port, int layer) { return w[port * kMaxPrecodingLayers + layer]; }
};

// Number of TPMI values of the table for (antenna_ports, layers, transform_precoding), or an
// error naming the unsupported parameter. Transform precoding allows one layer only.
Expected<int> pusch_codebook_size(int antenna_ports, int layers, bool transform_precoding);

// W of 38.211 Tables 6.3.1.5-1..-7 (antenna_ports x layers). antenna_ports in {1, 2, 4},
// layers 1..antenna_ports, tpmi within the table; errors name the bad parameter.
Expected<PrecodingMatrix> pusch_codebook(int antenna_ports, int layers, int tpmi, bool transform_precoding);

// z^(p)(i) = sum_v W(p, v) y^(v)(i). `layers` is layer-major (w.layers x n values, as
// layer_map writes it), `ports` port-major (w.ports x n). Does not allocate.
Status precode(const PrecodingMatrix& w, std::span<const Complex> layers, std::span<Complex> ports);

}  // namespace airan::phy
