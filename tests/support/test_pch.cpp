// The only source of bib-test-pch, the target that builds the precompiled header every test
// executable reuses (tests/testing.cmake). It has no tests; GTest::gtest_main gives it main().
