// Per-instruction-set decoder constructors, defined in ldpc_decoder_<isa>.cpp.
#pragma once

#include <memory>

#include "airan/phy/coding/ldpc_decoder.hpp"

namespace airan::phy {
namespace generic {
std::unique_ptr<LdpcDecoder> make_ldpc_decoder(const LdpcDecoderConfig& config);
}
namespace avx2 {
std::unique_ptr<LdpcDecoder> make_ldpc_decoder(const LdpcDecoderConfig& config);
}
}  // namespace airan::phy
