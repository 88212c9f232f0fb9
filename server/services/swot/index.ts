export {
  getBoard,
  getReview,
  getTeams,
  listBoards,
  saveReview,
  setReviewSchedule,
  updateTeams,
  ZBoardInput,
  ZReviewIdInput,
  ZSaveReviewInput,
  ZScheduleInput,
  ZTeams,
} from "./boards";
