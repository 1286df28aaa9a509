// The resource grid every stage of the signal chain reads and writes.
#pragma once

#include <algorithm>
#include <cassert>
#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace airan::phy {

using Complex = std::complex<float>;

// Frequency-domain IQ of one slot, layout [port][symbol][subcarrier], subcarrier fastest,
// contiguous. Subcarrier 0 is the lowest subcarrier of the grid (of the BWP for PUSCH/PDSCH).
// Owns its memory: sized once (resize), then reused slot after slot.
class ResourceGrid {
 public:
  ResourceGrid() = default;
  ResourceGrid(int ports, int symbols, int subcarriers) { resize(ports, symbols, subcarriers); }

  void resize(int ports, int symbols, int subcarriers) {
    ports_ = ports;
    symbols_ = symbols;
    subcarriers_ = subcarriers;
    data_.assign(static_cast<std::size_t>(ports) * symbols * subcarriers, Complex{});
  }
  void clear() { std::fill(data_.begin(), data_.end(), Complex{}); }
  // This grid becomes subcarriers [first, first + count) of every port and symbol of `from`
  // (a UE's BWP cut from the carrier grid). No allocation once the grid has held as many REs.
  void assign_subcarriers(const ResourceGrid& from, int first, int count) {
    assert(first >= 0 && count >= 0 && first + count <= from.subcarriers_);
    ports_ = from.ports_;
    symbols_ = from.symbols_;
    subcarriers_ = count;
    data_.resize(static_cast<std::size_t>(ports_) * symbols_ * count);
    for (int p = 0; p < ports_; ++p) {
      for (int l = 0; l < symbols_; ++l) {
        const auto src = from.symbol(p, l).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(count));
        std::copy(src.begin(), src.end(), data_.begin() + static_cast<std::ptrdiff_t>(offset(p, l)));
      }
    }
  }

  int ports() const { return ports_; }
  int symbols() const { return symbols_; }
  int subcarriers() const { return subcarriers_; }

  std::span<Complex> symbol(int port, int symbol) {
    assert(port < ports_ && symbol < symbols_);
    return {data_.data() + offset(port, symbol), static_cast<std::size_t>(subcarriers_)};
  }
  std::span<const Complex> symbol(int port, int symbol) const {
    assert(port < ports_ && symbol < symbols_);
    return {data_.data() + offset(port, symbol), static_cast<std::size_t>(subcarriers_)};
  }
  Complex& at(int port, int symbol, int subcarrier) { return data_[offset(port, symbol) + subcarrier]; }
  const Complex& at(int port, int symbol, int subcarrier) const { return data_[offset(port, symbol) + subcarrier]; }

  std::span<Complex> data() { return data_; }
  std::span<const Complex> data() const { return data_; }

 private:
  std::size_t offset(int port, int symbol) const {
    return (static_cast<std::size_t>(port) * symbols_ + symbol) * subcarriers_;
  }
  int ports_ = 0;
  int symbols_ = 0;
  int subcarriers_ = 0;
  std::vector<Complex> data_;
};

}  // namespace airan::phy
