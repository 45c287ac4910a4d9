# The one warning list; every cqlist target gets it through cqlist_apply_warnings().
set(CQLIST_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Wconversion -Wsign-conversion -Werror)

function(cqlist_apply_warnings target)
  target_compile_options(${target} PRIVATE ${CQLIST_WARNINGS})
endfunction()
