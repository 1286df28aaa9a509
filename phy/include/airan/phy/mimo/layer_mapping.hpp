// Layer mapping, TS 38.211 6.3.1.3 (PUSCH) and 7.3.1.3 (PDSCH), and its inverse.
//
// Layered data is layer-major: layer v holds M = M_symb^layer values at
// layered[v*M, (v+1)*M). One codeword on L layers (PUSCH 1..4; PDSCH 1..4):
//   x^(v)(i) = d(L*i + v).
// PDSCH with 5..8 layers carries two codewords (Table 7.3.1.3-1): codeword 0 on the first
// floor(L/2) layers, codeword 1 on the remaining ceil(L/2) layers, each interleaved as above.
//
// The receiver equalises per layer, then layer-demaps the equalised symbols and their
// noise variances (the float overloads) back to codeword order before the soft demapper.
// All functions validate sizes and layer counts, return an Error naming the bad parameter,
// and do not allocate.
#pragma once

#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

inline constexpr int kMaxLayersOneCodeword = 4;
inline constexpr int kMaxPdschLayers = 8;

// One codeword on `layers` (1..4) layers. codeword.size() must be a multiple of layers and
// layered.size() == codeword.size().
Status layer_map(std::span<const Complex> codeword, int layers, std::span<Complex> layered);
Status layer_demap(std::span<const Complex> layered, int layers, std::span<Complex> codeword);
Status layer_demap(std::span<const float> layered, int layers, std::span<float> codeword);

// PDSCH, Table 7.3.1.3-1: number of codewords (1 for 1..4 layers, 2 for 5..8), and the layers
// of codeword 0 / 1 (0 for a codeword that is absent). Both return 0 for layers outside 1..8.
int pdsch_codewords(int layers);
int pdsch_codeword_layers(int layers, int codeword);

// PDSCH, 1..8 layers. For 1..4 layers cw1 must be empty. For 5..8 layers
// cw0.size() / layers0 == cw1.size() / layers1 == M (both exact), layered.size() == layers * M.
Status pdsch_layer_map(std::span<const Complex> cw0, std::span<const Complex> cw1, int layers,
                       std::span<Complex> layered);
Status pdsch_layer_demap(std::span<const Complex> layered, int layers, std::span<Complex> cw0,
                         std::span<Complex> cw1);
Status pdsch_layer_demap(std::span<const float> layered, int layers, std::span<float> cw0, std::span<float> cw1);

}  // namespace airan::phy
