// list/fml/settings_map.hpp: fml's configuration variables in cqlist's list settings.
//
// Owns: which fml4 variable (config.ph) and fml8 key (config.cf) becomes which cqlist setting,
// and the reason given for every one that does not: an equivalent that needs no setting, a
// behaviour cqlist does differently, or one it does not have.
#pragma once

#include "list/fml/config_cf.hpp"
#include "list/fml/config_ph.hpp"
#include "list/fml/import_plan.hpp"

namespace cqlist::list::fml {

// Fills plan.settings, plan.not_imported, plan.maintainer and (unless set) the list address.
void map_fml4_settings(const FmlConfig& config, ImportPlan& plan);
void map_fml8_settings(const Fml8Config& config, ImportPlan& plan);

}  // namespace cqlist::list::fml
