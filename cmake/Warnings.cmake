# The one warning list; every cqlist target gets it through cqlist_apply_warnings().
set(CQLIST_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Wconversion -Wsign-conversion -Werror)

# g++ 12 at -O2/-O3 reports -Wrestrict on `"literal" + std::string` inside libstdc++ itself
# (GCC bug 105329), which would break Release builds for correct code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND CQLIST_WARNINGS -Wno-restrict)
endif()
# g++ 12's -Wnull-dereference fires inside libstdc++'s own headers (streambuf) once the
# optimiser inlines them; clang's version of the check does not, so it stays on there.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND CQLIST_WARNINGS -Wnull-dereference)
endif()

function(cqlist_apply_warnings target)
  target_compile_options(${target} PRIVATE ${CQLIST_WARNINGS})
endfunction()
