// The byte format of checkpoints (bib/state_bytes.hpp): what is written reads back, and bytes
// that are short, long or altered are refused rather than half-read.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bib/state_bytes.hpp"

namespace {

std::string sample() {
  bib::StateWriter out;
  out.u64(42);
  out.f64(1714.25);
  out.str("olá");
  out.pod_vector(std::vector<std::uint64_t>{1, 2, 3});
  return out.take();
}

TEST(StateBytes, WhatIsWrittenReadsBack) {
  const std::string bytes = sample();
  bib::StateReader in(bytes);
  EXPECT_EQ(in.u64(), 42U);
  EXPECT_EQ(in.f64(), 1714.25);
  EXPECT_EQ(in.str(), "olá");
  EXPECT_EQ(in.pod_vector<std::uint64_t>(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_NO_THROW(in.expect_end());
}

TEST(StateBytes, ShortOrLongBytesAreRefused) {
  const std::string bytes = sample();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    bib::StateReader in(std::string_view(bytes).substr(0, cut));
    EXPECT_THROW(
        {
          in.u64();
          in.f64();
          in.str();
          in.pod_vector<std::uint64_t>();
        },
        std::runtime_error)
        << "cut at " << cut;
  }
  const std::string longer = bytes + "x";
  bib::StateReader in(longer);
  in.u64();
  in.f64();
  in.str();
  in.pod_vector<std::uint64_t>();
  EXPECT_THROW(in.expect_end(), std::runtime_error);
}

TEST(StateBytes, AHugeCountIsRefusedWithoutAllocating) {
  bib::StateWriter out;
  out.u64(std::uint64_t{1} << 60);
  const std::string bytes = out.take();
  bib::StateReader vector_reader(bytes);
  EXPECT_THROW(vector_reader.pod_vector<std::uint64_t>(), std::runtime_error);
  bib::StateReader count_reader(bytes);
  EXPECT_THROW(count_reader.count(8), std::runtime_error);
}

TEST(StateBytes, AHashAfterTheBytesFindsAnyChangedByte) {
  const std::string sealed = bib::with_hash(sample());
  ASSERT_TRUE(bib::without_hash(sealed));
  EXPECT_EQ(*bib::without_hash(sealed), sample());
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] ^= 0x01;
    EXPECT_FALSE(bib::without_hash(altered)) << "byte " << i;
  }
  EXPECT_FALSE(bib::without_hash(sealed.substr(0, sealed.size() - 1)));
  EXPECT_FALSE(bib::without_hash("abc"));
}

}  // namespace
