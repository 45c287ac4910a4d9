# Every dependency is a Debian 12 package (tools/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(tl-expected REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
pkg_check_modules(UNBOUND REQUIRED IMPORTED_TARGET libunbound)
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)  # Ed25519 signing (auth/crypto)
find_package(tomlplusplus REQUIRED)
find_package(Threads REQUIRED)
# Asio with C++20 coroutines and Beast: Debian's libboost1.81-dev (1.74's Asio cannot compile
# the coroutines); header-only, so only the headers target is used.
find_package(boost_headers 1.81 REQUIRED CONFIG)
if(CQLIST_TESTS)
  find_package(GTest REQUIRED)
  find_package(yaml-cpp REQUIRED)  # tests only: the ARC conformance suite is YAML
endif()
if(CQLIST_BENCH)
  find_package(benchmark REQUIRED)
  pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
endif()
