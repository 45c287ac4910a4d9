# cqlist_module(NAME <m> DIR <dir> DEPS <targets...>)
#   One static library per folder: every *.cpp under DIR except *_test.cpp becomes part of
#   cqlist_<m>; every *_test.cpp becomes part of one test binary, cqlist_<m>_tests.
#   Files under a testing/ folder (fakes, test servers) become cqlist_<m>_testing, linked into
#   this module's tests and available to other modules' tests through TEST_DEPS.
#   DEPS lists only the modules the layering table allows (tools/check-layering.py).
function(cqlist_module)
  cmake_parse_arguments(ARG "" "NAME;DIR" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB_RECURSE all_sources CONFIGURE_DEPENDS "${ARG_DIR}/*.cpp")
  set(lib_sources "")
  set(test_sources "")
  set(testing_sources "")
  foreach(src IN LISTS all_sources)
    if(src MATCHES "_test\\.cpp$")
      list(APPEND test_sources "${src}")
    elseif(src MATCHES "/testing/")
      list(APPEND testing_sources "${src}")
    else()
      list(APPEND lib_sources "${src}")
    endif()
  endforeach()

  set(lib cqlist_${ARG_NAME})
  add_library(${lib} STATIC ${lib_sources})
  target_include_directories(${lib} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(${lib} PUBLIC ${ARG_DEPS})
  cqlist_apply_warnings(${lib})

  set(testing_lib "")
  if(CQLIST_TESTS AND testing_sources)
    set(testing_lib cqlist_${ARG_NAME}_testing)
    add_library(${testing_lib} STATIC ${testing_sources})
    target_link_libraries(${testing_lib} PUBLIC ${lib} GTest::gtest)
    target_compile_definitions(${testing_lib} PUBLIC
      CQLIST_SOURCE_ROOT="${CQLIST_SOURCE_ROOT}" CQLIST_SHARED_DIR="${CQLIST_SHARED_DIR}")
    cqlist_apply_warnings(${testing_lib})
  endif()

  if(CQLIST_TESTS AND test_sources)
    set(tests cqlist_${ARG_NAME}_tests)
    add_executable(${tests} ${test_sources})
    target_link_libraries(${tests} PRIVATE ${lib} ${testing_lib} ${ARG_TEST_DEPS} GTest::gtest
                                           GTest::gmock GTest::gtest_main)
    target_compile_definitions(${tests} PRIVATE
      CQLIST_SOURCE_ROOT="${CQLIST_SOURCE_ROOT}" CQLIST_SHARED_DIR="${CQLIST_SHARED_DIR}")
    cqlist_apply_warnings(${tests})
    gtest_discover_tests(${tests} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
  endif()
endfunction()
