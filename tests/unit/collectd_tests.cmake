# Unit tests of the collectd plugin: its sources linked with a stand-in for
# the daemon's functions (collectd_double.c), so they run without collectd.
# Included from tests/CMakeLists.txt when the plugin is built.
file(GLOB WJ_COLLECTD_UNIT_TESTS CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/test_collectd_*.c")
foreach(source ${WJ_COLLECTD_UNIT_TESTS})
  get_filename_component(name "${source}" NAME_WE)
  add_executable(${name} "${source}"
                 "${CMAKE_CURRENT_LIST_DIR}/collectd_double.c"
                 "${CMAKE_CURRENT_LIST_DIR}/snapshot_builder.c")
  target_link_libraries(${name} PRIVATE whisper_jobs_objects wj_common PkgConfig::CMOCKA m)
  add_test(NAME unit.${name} COMMAND ${name})
endforeach()
